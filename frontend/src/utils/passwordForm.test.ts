import { describe, expect, it } from 'vitest'
import { emptyPasswordForm, passwordLengthError, validatePasswordChange } from './passwordForm'

describe('password form', () => {
  it('asks for both passwords and a matching repeat', () => {
    expect(validatePasswordChange(emptyPasswordForm())).toEqual({
      current_password: 'Required',
      new_password: 'Required',
    })
    const form = { current: 'old password here', next: 'lunar tapir mortgages', confirm: 'lunar tapir mortgage' }
    expect(validatePasswordChange(form)).toEqual({ confirm: 'Passwords differ' })
    expect(validatePasswordChange({ ...form, confirm: form.next })).toEqual({})
  })

  it('keeps the API bounds and refuses the current password', () => {
    expect(passwordLengthError('short')).toBe('At least 10 characters')
    expect(passwordLengthError('€'.repeat(25))).toBe('At most 72 bytes')
    expect(passwordLengthError('€'.repeat(24))).toBeNull()
    const same = { current: 'same password 1', next: 'same password 1', confirm: 'same password 1' }
    expect(validatePasswordChange(same)).toEqual({ new_password: 'Must differ from the current password' })
  })
})
