// Session (JWT in sessionStorage), the current user and the exchange API keys status.

import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { accountApi, authApi } from '@/api/endpoints'
import { clearToken, getToken, setToken } from '@/api/session'
import type { ApiKeysInput, ApiKeysStatus, Credentials, Me } from '@/types/api'

export const useAuthStore = defineStore('auth', () => {
  const token = ref<string | null>(getToken())
  const user = ref<Me | null>(null)
  const apiKeys = ref<ApiKeysStatus | null>(null)

  const isAuthenticated = computed(() => token.value !== null)

  async function login(creds: Credentials): Promise<void> {
    const res = await authApi.login(creds)
    setToken(res.access_token)
    token.value = res.access_token
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

  function logout(): void {
    clearToken()
    token.value = null
    user.value = null
    apiKeys.value = null
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
    fetchApiKeys,
    saveApiKeys,
    deleteApiKeys,
  }
})
