// The change-password form: what the browser checks before asking the server, which alone judges strength.

/** The API's bounds (bcrypt reads 72 bytes at most). */
export const MIN_PASSWORD_CHARS = 10
export const MAX_PASSWORD_BYTES = 72

export interface PasswordForm {
  current: string
  next: string
  confirm: string
}

export function emptyPasswordForm(): PasswordForm {
  return { current: '', next: '', confirm: '' }
}

/** Length bounds of a new password, or null when they hold. */
export function passwordLengthError(password: string): string | null {
  if ([...password].length < MIN_PASSWORD_CHARS) return `At least ${MIN_PASSWORD_CHARS} characters`
  if (new TextEncoder().encode(password).length > MAX_PASSWORD_BYTES) return `At most ${MAX_PASSWORD_BYTES} bytes`
  return null
}

/** Field errors keyed like the API's (`current_password`, `new_password`), plus `confirm`. */
export function validatePasswordChange(f: PasswordForm): Record<string, string> {
  const e: Record<string, string> = {}
  if (!f.current) e.current_password = 'Required'
  const length = passwordLengthError(f.next)
  if (!f.next) e.new_password = 'Required'
  else if (length) e.new_password = length
  else if (f.next === f.current) e.new_password = 'Must differ from the current password'
  if (f.confirm !== f.next) e.confirm = 'Passwords differ'
  return e
}
