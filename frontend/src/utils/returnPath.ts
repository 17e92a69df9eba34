// The page to bring a user back to after a 401: where they are, or where they are going while that page's code
// loads (a lazy route), so a call answering 401 in that moment does not send them back to the page they left.

import type { Router } from 'vue-router'

export function trackReturnPath(router: Router): () => string {
  let pending: string | null = null
  router.beforeEach((to) => {
    pending = to.meta.guest ? null : to.fullPath
  })
  router.afterEach(() => {
    pending = null
  })
  return () => pending ?? router.currentRoute.value.fullPath
}
