import { createPinia, setActivePinia } from 'pinia'
import { createSSRApp } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import { renderToString } from 'vue/server-renderer'
import { beforeEach, describe, expect, it } from 'vitest'
import { stubSession } from '@/test/helpers'
import { useAuthStore } from '@/stores/auth'
import AccountPanel from './AccountPanel.vue'

describe('AccountPanel', () => {
  beforeEach(() => stubSession('jwt'))

  it('renders the change-password form and the log-out-everywhere button', async () => {
    const pinia = createPinia()
    setActivePinia(pinia)
    useAuthStore().user = { id: 1, email: 'trader@example.com', has_api_keys: false }
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', name: 'login', component: {} }] })
    const html = await renderToString(createSSRApp(AccountPanel).use(pinia).use(router))
    for (const id of ['password-form', 'input-current_password', 'input-new_password', 'input-confirm_password',
      'password-save', 'logout-everywhere']) {
      expect(html).toContain(`data-testid="${id}"`)
    }
    expect(html).toContain('autocomplete="current-password"')
    expect(html).toContain('value="trader@example.com"')
    expect(html).toContain('Log out everywhere')
    expect(html).not.toContain('data-testid="account-error"')
  })
})
