// Routes; pages other than login/register need a session.

import { createRouter, createWebHistory } from 'vue-router'
import { getToken } from '@/api/session'
import { trackReturnPath } from '@/utils/returnPath'
import LoginPage from '@/pages/LoginPage.vue'
import RegisterPage from '@/pages/RegisterPage.vue'

declare module 'vue-router' {
  interface RouteMeta {
    /** only for visitors without a session */
    guest?: boolean
  }
}

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: LoginPage, meta: { guest: true } },
    { path: '/register', name: 'register', component: RegisterPage, meta: { guest: true } },
    { path: '/', name: 'dashboard', component: () => import('@/pages/DashboardPage.vue') },
    {
      path: '/bots/:id(\\d+)',
      name: 'bot',
      component: () => import('@/pages/DashboardPage.vue'),
      props: (route) => ({ botId: Number(route.params.id) }),
    },
    {
      path: '/bots/new',
      name: 'bot-new',
      component: () => import('@/pages/ConfigPage.vue'),
      // ?from=<id>: a clone of that bot
      props: (route) => ({ cloneOf: /^\d+$/.test(String(route.query.from ?? '')) ? Number(route.query.from) : undefined }),
    },
    {
      path: '/bots/:id(\\d+)/config',
      name: 'bot-config',
      component: () => import('@/pages/ConfigPage.vue'),
      props: (route) => ({ botId: Number(route.params.id) }),
    },
    { path: '/notifications', name: 'notifications', component: () => import('@/pages/NotificationsPage.vue') },
    { path: '/health', name: 'health', component: () => import('@/pages/HealthPage.vue') },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
})

/** Where the user is, or is going: the page to return to after logging in again. */
export const returnPath = trackReturnPath(router)

router.beforeEach((to) => {
  const loggedIn = getToken() !== null
  if (to.meta.guest) return loggedIn ? { name: 'dashboard' } : true
  if (!loggedIn) return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
  return true
})
