import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { onUnauthorized } from './api/http'
import { router } from './router'
import { endSession } from './stores/session'
import './style.css'

const app = createApp(App)
app.use(createPinia())
app.use(router)

// Any authenticated call answering 401: the token is gone or expired.
onUnauthorized(() => {
  endSession()
  const current = router.currentRoute.value
  if (current.name !== 'login') {
    void router.push({ name: 'login', query: { redirect: current.fullPath, expired: '1' } })
  }
})

app.mount('#app')
