// One typed function per route of docs/api-contract.md.

import type {
  AcceptResult,
  ApiKeysInput,
  ApiKeysStatus,
  BalanceResponse,
  Bot,
  BotMode,
  BotRun,
  BotStats,
  Candle,
  CreateBotRequest,
  DailyPnl,
  Credentials,
  EmergencyStopResult,
  EquityPoint,
  ExchangeHealth,
  PaperResetResult,
  Fill,
  MarketSymbol,
  Me,
  NotificationSettings,
  NotificationSettingsInput,
  NotificationTest,
  OptimizeRequest,
  Order,
  PasswordChange,
  OrderStatus,
  PriceResponse,
  RegisteredUser,
  RoundTrip,
  Suggestion,
  Summary,
  SystemInfo,
  TestConfigRequest,
  TestConfigResult,
  TokenResponse,
  UpdateBotRequest,
  WebhookSecret,
} from '@/types/api'
import type { Strategy } from '@/types/strategy'
import { http } from './http'

const enc = encodeURIComponent

export const authApi = {
  register: (c: Credentials) => http.post<RegisteredUser>('/api/auth/register', c, { auth: false }),
  login: (c: Credentials) => http.post<TokenResponse>('/api/auth/login', c, { auth: false }),
  me: () => http.get<Me>('/api/auth/me'),
  /** Revokes this token; a 401 (already ended) is thrown, not handled: the caller clears the session anyway. */
  logout: () => http.post<void>('/api/auth/logout', undefined, { quiet401: true }),
  /** Ends every session of the user, this one included. */
  logoutAll: () => http.post<void>('/api/auth/logout-all'),
  /** Changes the password; every other session ends and the answer is this session's new token. */
  changePassword: (c: PasswordChange) => http.post<TokenResponse>('/api/auth/password', c),
}

export const accountApi = {
  getApiKeys: () => http.get<ApiKeysStatus>('/api/account/api-keys'),
  putApiKeys: (k: ApiKeysInput) => http.put<ApiKeysStatus>('/api/account/api-keys', k),
  deleteApiKeys: () => http.del('/api/account/api-keys'),
}

export const notificationsApi = {
  get: () => http.get<NotificationSettings>('/api/notifications'),
  put: (s: NotificationSettingsInput) => http.put<NotificationSettings>('/api/notifications', s),
  /** A new signing secret, shown this once. */
  rotateSecret: () => http.post<WebhookSecret>('/api/notifications/webhook-secret'),
  /** Sends a test to every configured channel: one result each (a failing receiver is a result, not an error). */
  test: () => http.post<NotificationTest>('/api/notifications/test'),
}

export const botsApi = {
  list: () => http.get<Bot[]>('/api/bots'),
  get: (id: number) => http.get<Bot>(`/api/bots/${id}`),
  create: (b: CreateBotRequest) => http.post<Bot>('/api/bots', b),
  update: (id: number, b: UpdateBotRequest) => http.put<Bot>(`/api/bots/${id}`, b),
  remove: (id: number) => http.del(`/api/bots/${id}`),
  start: (id: number, confirmLive = false) =>
    http.post<Bot>(`/api/bots/${id}/start`, confirmLive ? { confirm_live: true } : {}),
  /** `sell`: also sell the base the grid holds at the market (else the coins stay in the account) */
  stop: (id: number, sell = false) => http.post<Bot>(`/api/bots/${id}/stop`, { sell }),
  runs: (id: number) => http.get<BotRun[]>(`/api/bots/${id}/runs`),
  stats: (id: number) => http.get<BotStats>(`/api/bots/${id}/stats`),
  /** a run's equity (the current run's unless `run`, a generation, says) */
  equity: (id: number, run?: number) => http.get<EquityPoint[]>(`/api/bots/${id}/equity`, { query: { run } }),
  dailyPnl: (id: number, run?: number) => http.get<DailyPnl>(`/api/bots/${id}/daily-pnl`, { query: { run } }),
  testConfig: (r: TestConfigRequest) => http.post<TestConfigResult>('/api/bots/test-config', r),
}

export const strategiesApi = {
  list: () => http.get<Strategy[]>('/api/strategies'),
}

export const summaryApi = {
  get: () => http.get<Summary>('/api/summary'),
  /** every run of every bot, added up per day */
  dailyPnl: () => http.get<DailyPnl>('/api/summary/daily-pnl'),
  emergencyStop: () => http.post<EmergencyStopResult>('/api/emergency-stop'),
  resetPaper: () => http.post<PaperResetResult>('/api/paper/reset'),
}

export const systemApi = {
  get: () => http.get<SystemInfo>('/api/system', { auth: false }),
  /** why no orders: the exchange, the user's streams and each bot's last exchange error */
  exchangeHealth: () => http.get<ExchangeHealth>('/api/exchange/health'),
}

export const tradingApi = {
  /** `status`: one, or several (sent comma-separated) */
  orders: (q: { bot_id?: number; status?: OrderStatus | readonly OrderStatus[]; limit?: number } = {}) =>
    http.get<Order[]>('/api/orders', {
      query: { ...q, status: typeof q.status === 'string' ? q.status : q.status?.join(',') },
    }),
  fills: (q: { bot_id?: number; limit?: number } = {}) => http.get<Fill[]>('/api/fills', { query: q }),
  trades: (q: { bot_id?: number; limit?: number } = {}) =>
    http.get<RoundTrip[]>('/api/trades', { query: q }),
  balance: (mode: BotMode) => http.get<BalanceResponse>('/api/balance', { query: { mode } }),
}

export const marketApi = {
  symbols: () => http.get<MarketSymbol[]>('/api/market/symbols'),
  price: (symbol: string) => http.get<PriceResponse>(`/api/market/price/${enc(symbol)}`),
  candles: (symbol: string, interval = '1m', limit = 500) =>
    http.get<Candle[]>(`/api/market/candles/${enc(symbol)}`, { query: { interval, limit } }),
}

export const aiApi = {
  optimize: (r: OptimizeRequest) => http.post<Suggestion>('/api/ai/optimize', r),
  accept: (id: number) => http.post<AcceptResult>(`/api/ai/suggestions/${id}/accept`),
  reject: (id: number) => http.post<Suggestion>(`/api/ai/suggestions/${id}/reject`),
  list: (botId?: number) => http.get<Suggestion[]>('/api/ai/suggestions', { query: { bot_id: botId } }),
}
