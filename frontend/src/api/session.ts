// The session's JWT, kept in sessionStorage (gone when the tab closes).

const KEY = 'gridbot.token'

function storage(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage
  } catch {
    return null
  }
}

export function getToken(): string | null {
  return storage()?.getItem(KEY) ?? null
}

export function setToken(token: string): void {
  storage()?.setItem(KEY, token)
}

export function clearToken(): void {
  storage()?.removeItem(KEY)
}
