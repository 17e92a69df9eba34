import { beforeEach, describe, expect, it } from 'vitest'
import { stubSession } from '@/test/helpers'
import { render, testPinia } from '@/test/render'
import { useAuthStore } from '@/stores/auth'
import AccountPanel from './AccountPanel.vue'

describe('AccountPanel', () => {
  beforeEach(() => stubSession('jwt'))

  it('offers the change-password form and "Log out everywhere"', async () => {
    const pinia = testPinia()
    useAuthStore().user = { id: 1, email: 'trader@example.com', has_api_keys: false }
    const r = await render(AccountPanel, {}, pinia)
    expect(r.attr('input-current_password', 'autocomplete')).toBe('current-password')
    expect(r.attr('input-new_password', 'autocomplete')).toBe('new-password')
    expect(r.attr('input-confirm_password', 'type')).toBe('password')
    expect(r.text('field-new_password')).toContain('At least 10 characters')
    expect(r.text('password-save')).toBe('Change password')
    expect(r.text('logout-everywhere')).toBe('Log out everywhere')
    // the account's email for password managers, beside the form
    expect(r.html).toContain('value="trader@example.com"')
    expect(r.text('account-error')).toBeNull()
    expect(r.text('password-changed')).toBeNull()
  })
})
