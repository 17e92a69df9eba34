// The one fetch wrapper: JSON in and out, the bearer token, the contract's error
// shape parsed into ApiError, and a 401 interceptor.

import type { ErrorBody, ErrorCode } from '@/types/api'
import { clearToken, getToken } from './session'

export type ClientErrorCode = ErrorCode | 'network' | 'unknown'

export class ApiError extends Error {
  readonly status: number
  readonly code: ClientErrorCode
  /** field → message, only for 422; keys of the bot config are given without a "config." prefix */
  readonly fields: Record<string, string>
  /** seconds, from Retry-After on 429 */
  readonly retryAfter: number | null

  constructor(
    status: number,
    code: ClientErrorCode,
    message: string,
    fields: Record<string, string> = {},
    retryAfter: number | null = null,
  ) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.fields = fields
    this.retryAfter = retryAfter
  }
}

/** Field errors keyed by the form's field names ("config.lower_bound" → "lower_bound"). */
export function normalizeFields(fields: Record<string, string> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(fields ?? {})) {
    out[k.replace(/^config[./]/, '')] = v
  }
  return out
}

function isErrorBody(v: unknown): v is ErrorBody {
  if (typeof v !== 'object' || v === null) return false
  const e = (v as { error?: unknown }).error
  return typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string'
}

const STATUS_CODES: Record<number, ErrorCode> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  422: 'validation',
  429: 'rate_limited',
  500: 'internal',
  502: 'exchange',
}

export async function toApiError(res: Response): Promise<ApiError> {
  let body: unknown = null
  try {
    body = await res.json()
  } catch {
    // not JSON: fall through to a generic error
  }
  const retry = res.headers.get('Retry-After')
  const retryAfter = retry !== null && /^\d+$/.test(retry) ? Number(retry) : null
  if (isErrorBody(body)) {
    const e = body.error
    return new ApiError(res.status, e.code, e.message, normalizeFields(e.fields), retryAfter)
  }
  const code = STATUS_CODES[res.status] ?? 'unknown'
  return new ApiError(res.status, code, res.statusText || `HTTP ${res.status}`, {}, retryAfter)
}

type UnauthorizedHandler = () => void
let unauthorizedHandler: UnauthorizedHandler | null = null

/** Called once by main.ts: what to do when an authenticated call answers 401. */
export function onUnauthorized(handler: UnauthorizedHandler | null): void {
  unauthorizedHandler = handler
}

export type Query = Record<string, string | number | boolean | null | undefined>

export interface RequestOptions {
  body?: unknown
  query?: Query
  /** send the bearer token (default true); a 401 then clears it and calls the handler */
  auth?: boolean
  /** with the token sent, a 401 is only thrown: the caller ends the session itself (logout) */
  quiet401?: boolean
  signal?: AbortSignal
}

export function withQuery(path: string, query?: Query): string {
  if (!query) return path
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v !== null && v !== undefined && v !== '') params.set(k, String(v))
  }
  const qs = params.toString()
  return qs ? `${path}?${qs}` : path
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const auth = opts.auth ?? true
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json'
  const token = auth ? getToken() : null
  if (token) headers.Authorization = `Bearer ${token}`

  let res: Response
  try {
    res = await fetch(withQuery(path, opts.query), {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    })
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e
    throw new ApiError(0, 'network', 'The server cannot be reached')
  }

  if (!res.ok) {
    const err = await toApiError(res)
    if (res.status === 401 && auth && !opts.quiet401) {
      clearToken()
      unauthorizedHandler?.()
    }
    throw err
  }
  if (res.status === 204) return undefined as T
  const text = await res.text()
  return (text ? JSON.parse(text) : undefined) as T
}

export const http = {
  get: <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) =>
    request<T>('POST', path, { ...opts, body }),
  put: <T>(path: string, body?: unknown, opts?: RequestOptions) =>
    request<T>('PUT', path, { ...opts, body }),
  del: <T = void>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, opts),
}

/** A user-facing message for any thrown value. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.code === 'rate_limited' && e.retryAfter !== null) {
      return `${e.message} (retry in ${e.retryAfter} s)`
    }
    return e.message
  }
  if (e instanceof Error) return e.message
  return String(e)
}
