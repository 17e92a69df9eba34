import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { onUnauthorized } from './api/http'
import { returnPath, router } from './router'
import { endSession } from './stores/session'
import './style.css'

const app = createApp(App)
app.use(createPinia())
app.use(router)

// Any authenticated call answering 401: the token is gone or expired.
onUnauthorized(() => {
  endSession()
  if (router.currentRoute.value.name !== 'login') {
    void router.push({ name: 'login', query: { redirect: returnPath(), expired: '1' } })
  }
})

app.mount('#app')
