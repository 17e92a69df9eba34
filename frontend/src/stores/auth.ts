// Session (JWT in sessionStorage), the current user and the exchange API keys status.

import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { accountApi, authApi } from '@/api/endpoints'
import { clearToken, getToken, setToken } from '@/api/session'
import type { ApiKeysInput, ApiKeysStatus, Credentials, Me, PasswordChange } from '@/types/api'

export const useAuthStore = defineStore('auth', () => {
  const token = ref<string | null>(getToken())
  const user = ref<Me | null>(null)
  const apiKeys = ref<ApiKeysStatus | null>(null)

  const isAuthenticated = computed(() => token.value !== null)

  function keep(accessToken: string): void {
    setToken(accessToken)
    token.value = accessToken
  }

  async function login(creds: Credentials): Promise<void> {
    const res = await authApi.login(creds)
    keep(res.access_token)
    await fetchMe()
  }

  /** Registers, then logs in with the same credentials. */
  async function register(creds: Credentials): Promise<void> {
    await authApi.register(creds)
    await login(creds)
  }

  async function fetchMe(): Promise<Me> {
    const me = await authApi.me()
    user.value = me
    return me
  }

  /** Forgets the session here (token, user, keys status); the server is not told. */
  function logout(): void {
    clearToken()
    token.value = null
    user.value = null
    apiKeys.value = null
  }

  /** Asks the server to revoke this token; failures are swallowed (the session is cleared here anyway). */
  async function revoke(): Promise<void> {
    if (token.value === null) return
    try {
      await authApi.logout()
    } catch {
      // Already ended, or the server is unreachable: the token is forgotten here either way.
    }
  }

  /** Ends every session of the user on the server, this one included; throws when the server did not. */
  async function revokeAll(): Promise<void> {
    await authApi.logoutAll()
  }

  /** Changes the password and keeps the fresh token the server answers (the old one, like every other, is ended). */
  async function changePassword(change: PasswordChange): Promise<void> {
    const res = await authApi.changePassword(change)
    keep(res.access_token)
  }

  async function fetchApiKeys(): Promise<ApiKeysStatus> {
    apiKeys.value = await accountApi.getApiKeys()
    return apiKeys.value
  }

  async function saveApiKeys(keys: ApiKeysInput): Promise<ApiKeysStatus> {
    apiKeys.value = await accountApi.putApiKeys(keys)
    if (user.value) user.value = { ...user.value, has_api_keys: apiKeys.value.configured }
    return apiKeys.value
  }

  async function deleteApiKeys(): Promise<void> {
    await accountApi.deleteApiKeys()
    apiKeys.value = { configured: false, api_key_masked: null }
    if (user.value) user.value = { ...user.value, has_api_keys: false }
  }

  return {
    token,
    user,
    apiKeys,
    isAuthenticated,
    login,
    register,
    fetchMe,
    logout,
    revoke,
    revokeAll,
    changePassword,
    fetchApiKeys,
    saveApiKeys,
    deleteApiKeys,
  }
})
