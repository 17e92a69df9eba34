// End-to-end: the built dashboard against a real `gridbot serve --offline` (API, scheduler, workers and the
// built-in simulator's market in one process). scripts/e2e.sh starts the server and runs this file; by hand:
//   E2E_BASE_URL=http://127.0.0.1:8080 E2E_SIM_URL=http://127.0.0.1:PORT node e2e/dashboard.e2e.mjs
//
// The simulator's control API keeps the scenario deterministic where it must be: the market is paused while the
// grid is set around the current price and the bot starts (so the start price is inside the grid), and if the
// random walk has not crossed a level within FILL_GRACE_MS the price is moved onto one.

import {
  Abort,
  api,
  assert,
  assertEqual,
  config,
  eventually,
  log,
  run,
  scenario,
  sim,
  sleep,
  tid,
} from './lib/harness.mjs'
import { notificationsScenario } from './notifications.mjs'

const PASSWORD = 'correct horse battery staple 42'
const SYMBOL = 'BTCUSDT'
const PAIR = 'BTC/USDT'
const LEVELS = 20
/** the grid spans ±RANGE around the price: the walk moves ~0.3 % a second, so a level is crossed within seconds */
const RANGE = 0.03
/** how long the random walk gets to cross a level before the test moves the price (E2E_FILL_GRACE_MS) */
const FILL_GRACE_MS = Number(process.env.E2E_FILL_GRACE_MS ?? 25000)
const FILL_TIMEOUT_MS = 60000

const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`
let users = 0
const newEmail = (what) => `e2e-${what}-${runId}-${++users}@example.com`

// ---- helpers ------------------------------------------------------------------------------------------------

/** Cents arithmetic on the tick (0.01) of BTCUSDT. */
const cents = (price) => Math.round(Number(price) * 100)
const fromCents = (c) => (c / 100).toFixed(2)

async function price(token) {
  const { body } = await api('GET', `/api/market/price/${SYMBOL}`, { token })
  assert(body && Number(body.price) > 0, `GET /api/market/price/${SYMBOL}: no price in ${JSON.stringify(body)}`)
  return body.price
}

async function registerApi(email) {
  await api('POST', '/api/auth/register', { body: { email, password: PASSWORD }, expect: [201] })
  const { body } = await api('POST', '/api/auth/login', { body: { email, password: PASSWORD } })
  return body.access_token
}

function gridAround(p) {
  const c = cents(p)
  return {
    capital: '1000',
    lower_bound: fromCents(Math.round(c * (1 - RANGE))),
    upper_bound: fromCents(Math.round(c * (1 + RANGE))),
    grid_levels: LEVELS,
    spacing: 'arithmetic',
    stop_loss_pct: null,
    take_profit_pct: null,
    max_daily_loss: null,
  }
}

async function loginUi(page, email) {
  await page.fill(tid('login-email'), email)
  await page.fill(tid('login-password'), PASSWORD)
  await page.click(tid('login-submit'))
}

const card = (page, id) => page.locator(`${tid('bot-card')}[data-bot-id="${id}"]`)
const text = async (page, sel) => ((await page.locator(sel).first().textContent()) ?? '').trim()

/** Waits for a bot card's status; an `error` status fails at once with the bot's stop reason. */
async function waitStatus(page, id, want, timeout = 30000) {
  await eventually(
    `bot ${id} card shows status "${want}"`,
    async () => {
      const st = await card(page, id).getAttribute('data-status')
      if (st === 'error' && want !== 'error') {
        const why = await card(page, id).locator(tid('bot-stop-reason')).textContent().catch(() => null)
        throw new Abort(`bot ${id} went to error: ${why?.trim() ?? '(no stop reason shown)'}`)
      }
      return st === want ? st : false
    },
    { timeout },
  )
}

async function openOrders(token, botId) {
  const { body } = await api('GET', `/api/orders?bot_id=${botId}&status=open&limit=500`, { token })
  assert(Array.isArray(body), `GET /api/orders: not a list: ${JSON.stringify(body).slice(0, 200)}`)
  return body.filter((o) => o.status === 'open' || o.status === 'new' || o.status === 'partially_filled')
}

/**
 * Stops a bot from its card: the dialog asks whether to sell or keep the coins; picks `sell` and confirms. Returns
 * the stop request's body and the choice the dialog started from.
 */
async function stopFromCard(page, id, { sell }) {
  const request = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === `/api/bots/${id}/stop`)
  await card(page, id).locator(tid('bot-stop')).click()
  await page.locator(tid('stop-dialog')).waitFor()
  const startedFrom = await page.locator(tid('stop-choice')).getAttribute('data-sell')
  await page.check(tid(sell ? 'stop-sell' : 'stop-keep'))
  assertEqual(await page.locator(tid('stop-choice')).getAttribute('data-sell'), String(sell), 'the choice in the stop dialog')
  await page.click(tid('stop-confirm'))
  await page.locator(tid('stop-dialog')).waitFor({ state: 'hidden' })
  const body = (await request).postDataJSON()
  assertEqual(JSON.stringify(body), JSON.stringify({ sell }), 'the stop request body')
  return { body, startedFrom }
}

/** Scrolls the element with this test id to the top of the window, below the sticky header (or to `block`). */
const scrollTo = (page, testid, block = 'start') =>
  page.locator(tid(testid)).evaluate((el, b) => {
    el.scrollIntoView({ block: b })
    if (b === 'start') window.scrollBy(0, -((document.querySelector('header')?.getBoundingClientRect().bottom ?? 0) + 8))
  }, block)

/** Whether the page is wider than the viewport (something sticks out sideways at phone width). */
const overflowsSideways = (page) =>
  page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1)

const simPause = () => (config.simUrl ? sim('POST', '/sim/pause') : null)
const simResume = () => (config.simUrl ? sim('POST', '/sim/resume') : null)
const simPrice = (p) => sim('POST', '/sim/price', { symbol: SYMBOL, price: p })

// ---- scenarios ----------------------------------------------------------------------------------------------

/**
 * Opens WebSockets from the page for `ms` and reports, per socket: opened, the message types received, and the
 * close code when the server closed it (a close the probe itself makes at the end is not reported).
 */
async function probeSockets(page, sockets, ms) {
  return page.evaluate(
    async ({ sockets, ms }) => {
      const one = (path) =>
        new Promise((resolve) => {
          const r = { opened: false, types: [], closeCode: null }
          const ws = new WebSocket(`ws://${location.host}${path}`)
          ws.onopen = () => (r.opened = true)
          ws.onmessage = (e) => {
            try {
              r.types.push(JSON.parse(String(e.data)).type ?? '?')
            } catch {
              r.types.push('not-json')
            }
          }
          ws.onclose = (e) => {
            r.closeCode = e.code
            resolve(r)
          }
          setTimeout(() => {
            ws.onclose = null
            ws.close()
            resolve(r)
          }, ms)
        })
      const out = await Promise.all(Object.values(sockets).map(one))
      return Object.fromEntries(Object.keys(sockets).map((k, i) => [k, out[i]]))
    },
    { sockets, ms },
  )
}

scenario('API: every route and stream the dashboard uses answers', async (s) => {
  const { page } = s
  let token
  let botId
  s.cleanup(simResume)
  await s.step('register and log in through the API', async () => {
    token = await registerApi(newEmail('routes'))
    assert(typeof token === 'string' && token.length > 20, 'login returned no access_token')
  })

  await s.step('REST routes of docs/api-contract.md (all answered, gaps listed together)', async () => {
    const cfg = gridAround(await price(token))
    const gaps = []
    const check = async (method, path, opts = {}) => {
      try {
        return (await api(method, path, { token, ...opts })).body
      } catch (e) {
        gaps.push(e.message)
        return null
      }
    }
    await check('GET', '/api/auth/me')
    await check('GET', '/api/market/symbols')
    await check('GET', `/api/market/candles/${SYMBOL}?interval=1m&limit=10`)
    await check('GET', `/api/market/indicators/${SYMBOL}`)
    await check('GET', '/api/account/api-keys')
    const strategies = await check('GET', '/api/strategies')
    if (strategies) {
      const names = Array.isArray(strategies) ? strategies.map((x) => x.name) : []
      for (const want of ['grid', 'mean_reversion']) {
        const one = strategies.find?.((x) => x.name === want)
        if (!one) gaps.push(`GET /api/strategies lacks ${want} (lists ${JSON.stringify(names)})`)
        else if (!one.schema?.properties?.capital) gaps.push(`GET /api/strategies: ${want} has no config schema with capital`)
      }
    }
    await check('POST', '/api/bots/test-config', { body: { strategy: 'grid', pair: PAIR, config: cfg } })
    const bot = await check('POST', '/api/bots', { body: { strategy: 'grid', pair: PAIR, mode: 'paper', config: cfg } })
    botId = bot?.id
    if (botId) {
      await check('GET', `/api/bots/${botId}`)
      await check('PUT', `/api/bots/${botId}`, { body: { config: cfg } })
      await check('GET', `/api/bots/${botId}/stats`)
      await check('GET', `/api/bots/${botId}/runs`)
    }
    await check('GET', '/api/bots')
    await check('GET', '/api/summary')
    await check('GET', '/api/orders?limit=5')
    await check('GET', '/api/fills?limit=5')
    await check('GET', '/api/trades?limit=5')
    await check('GET', '/api/balance?mode=paper')
    await check('GET', '/api/ai/suggestions')
    await check('POST', '/api/emergency-stop')
    const anon = await fetch(`${config.baseUrl}/api/bots`)
    if (anon.status !== 401) gaps.push(`GET /api/bots without a token answered ${anon.status}, not 401`)
    assert(gaps.length === 0, `${gaps.length} route(s) failed:\n        ${gaps.join('\n        ')}`)
  })

  await s.step('start, stop, and the /ws/bot and /ws/market streams of a running bot', async () => {
    assert(botId, 'no bot was created')
    await page.goto('/login')
    await simPause()
    // the price the grid was built around may have left it: put it back in the middle
    const { body: bot } = await api('GET', `/api/bots/${botId}`, { token })
    if (config.simUrl) {
      await simPrice(fromCents(Math.round((cents(bot.config.lower_bound) + cents(bot.config.upper_bound)) / 2)))
    }
    await api('POST', `/api/bots/${botId}/start`, { token, body: {}, expect: [202] })
    await eventually('the started bot runs (GET /api/bots/{id})', async () => {
      const { body } = await api('GET', `/api/bots/${botId}`, { token })
      if (body.status === 'error') throw new Abort(`the bot went to error: ${body.stop_reason}`)
      return body.status === 'running'
    })
    await simResume()
    const q = `?token=${encodeURIComponent(token)}`
    const out = await probeSockets(page, { bot: `/ws/bot/${botId}${q}`, market: `/ws/market/${SYMBOL}${q}` }, 5000)
    s.note(`ws probe (bot running) ${JSON.stringify(out)}`)
    await api('POST', `/api/bots/${botId}/stop`, { token, expect: [202] })
    const problems = []
    if (!out.bot.opened || out.bot.closeCode !== null) {
      problems.push(`/ws/bot/${botId}: opened ${out.bot.opened}, closed by the server with ${out.bot.closeCode}`)
    } else if (!out.bot.types.some((t) => ['status', 'stats', 'order', 'fill'].includes(t))) {
      problems.push(`/ws/bot/${botId} sent no status/stats/order/fill in 5 s (got ${JSON.stringify(out.bot.types)})`)
    }
    if (!out.market.opened || out.market.closeCode !== null) {
      problems.push(`/ws/market/${SYMBOL}: opened ${out.market.opened}, closed by the server with ${out.market.closeCode}`)
    } else if (!out.market.types.some((t) => t === 'kline' || t === 'trade')) {
      problems.push(`/ws/market/${SYMBOL} sent no kline/trade in 5 s (got ${JSON.stringify(out.market.types)})`)
    }
    assert(problems.length === 0, problems.join('; '))
  })

  await s.step('a WebSocket with a bad token is closed with 4401', async () => {
    const out = await probeSockets(page, { bad: `/ws/market/${SYMBOL}?token=not-a-token`, none: `/ws/bot/${botId}` }, 3000)
    assertEqual(out.bad.closeCode, 4401, '/ws/market with a bad token: close code')
    assertEqual(out.none.closeCode, 4401, '/ws/bot without a token: close code')
  })

  await s.step('/ws/market streams the chart symbol with no bot running (the chart of a stopped bot stays live)', async () => {
    await eventually('no bot of this user running', async () => {
      const { body } = await api('GET', '/api/summary', { token })
      return body.bots_running === 0
    })
    const out = await probeSockets(page, { market: `/ws/market/${SYMBOL}?token=${encodeURIComponent(token)}` }, 6000)
    s.note(`ws probe (no bot running) ${JSON.stringify(out)}`)
    assert(out.market.opened && out.market.closeCode === null, `/ws/market/${SYMBOL}: ${JSON.stringify(out.market)}`)
    assert(
      out.market.types.some((t) => t === 'kline' || t === 'trade'),
      `/ws/market/${SYMBOL} sent nothing in 6 s while no bot runs, though the simulator trades every second ` +
        '(API gap: the market stream seems to follow running bots only)',
    )
  })
})

scenario('paper bot: register, log in, configure, test, start, fills and P&L live, stop, emergency stop', async (s) => {
  const { page } = s
  const email = newEmail('paper')
  let token
  let botId
  let grid
  let center
  s.cleanup(simResume)

  await s.step('an anonymous visit goes to the login page', async () => {
    await page.goto('/')
    await page.waitForURL((u) => u.pathname === '/login')
    await page.locator(tid('login-form')).waitFor()
  })

  await s.step('register through the form', async () => {
    await page.click('a[href="/register"]')
    await page.fill(tid('register-email'), email)
    await page.fill(tid('register-password'), PASSWORD)
    await page.fill(tid('register-confirm'), PASSWORD)
    await page.click(tid('register-submit'))
    await page.waitForURL((u) => u.pathname === '/')
    await page.locator(tid('no-bots')).waitFor()
    assertEqual(await page.locator(tid('mode-indicator')).getAttribute('data-mode'), 'paper', 'header mode')
  })

  await s.step('log out, then log in through the form', async () => {
    await page.click(tid('logout'))
    await page.waitForURL((u) => u.pathname === '/login')
    await page.fill(tid('login-email'), email)
    await page.fill(tid('login-password'), 'wrong-password-123')
    await page.click(tid('login-submit'))
    await page.locator(tid('login-error')).waitFor()
    await loginUi(page, email)
    await page.waitForURL((u) => u.pathname === '/')
    await page.locator(tid('no-bots')).waitFor()
    token = await s.token()
    assert(token, 'no token in sessionStorage after login')
  })

  await s.step('config page: BTC/USDT, 1000 USDT, ±3 % around the price from /api/market/price, 20 levels', async () => {
    await page.click(tid('new-bot'))
    await page.waitForURL((u) => u.pathname === '/bots/new')
    await page.locator(tid('config-form')).waitFor()
    // the grid's fields come from its schema (GET /api/strategies)
    await page.locator(tid('input-capital')).waitFor()
    // Hold the market still from here until the bot runs, so its start price is the one the grid was built around.
    await simPause()
    center = await price(token)
    grid = gridAround(center)
    log(`    price ${center} → grid ${grid.lower_bound} … ${grid.upper_bound}, ${LEVELS} levels`)
    await eventually('the pair list', async () => (await page.locator(`${tid('input-pair')} option`).count()) > 0)
    await page.selectOption(tid('input-pair'), PAIR)
    await page.fill(tid('input-capital'), grid.capital)
    await page.fill(tid('input-lower_bound'), grid.lower_bound)
    await page.fill(tid('input-upper_bound'), grid.upper_bound)
    await page.fill(tid('input-grid_levels'), String(LEVELS))
    assertEqual(await page.locator(tid('input-strategy')).inputValue(), 'grid', 'the strategy of a new bot')
    assertEqual(await text(page, tid('unit-capital')), 'USDT', "the capital's unit")
    await eventually('the last-price hint', async () => (await text(page, tid('field-pair'))).includes('Last price'))
    assertEqual(await page.locator(tid('input-mode')).getAttribute('data-mode'), 'paper', 'mode of a new bot')
  })

  await s.step('Test Config shows the preview (levels, quantity, profit per grid, expected fills, backtest)', async () => {
    await page.click(tid('config-test'))
    const result = page.locator(tid('test-config-result'))
    await result.waitFor({ timeout: 30000 })
    assertEqual(await result.getAttribute('data-valid'), 'true', 'test-config valid')
    assertEqual(await text(page, tid('test-levels-count')), String(LEVELS), 'previewed levels')
    assert(/\d/.test(await text(page, tid('test-qty-per-level'))), 'no quantity per level')
    assert(/\d/.test(await text(page, tid('test-profit-per-grid'))), 'no profit per grid')
    assert(/\d/.test(await text(page, tid('test-expected-fills'))), 'no expected fills')
    await page.locator(tid('test-backtest')).waitFor()
    const levels = await page.locator(`${tid('test-levels')} li`).allTextContents()
    assertEqual(levels.length, LEVELS, 'level prices listed')
    assertEqual(levels[0].replaceAll(',', ''), grid.lower_bound, 'first level')
    assertEqual(levels[LEVELS - 1].replaceAll(',', ''), grid.upper_bound, 'last level')
    await page.locator(`${tid('test-config-result')} details summary`).click()
    await s.screenshot('config-page')
  })

  await s.step('create the bot: back on the dashboard, stopped, paper', async () => {
    await page.click(tid('config-save'))
    await page.waitForURL((u) => u.pathname === '/')
    const c = page.locator(tid('bot-card')).first()
    await c.waitFor()
    botId = Number(await c.getAttribute('data-bot-id'))
    assert(botId > 0, 'the card has no bot id')
    assertEqual(await c.getAttribute('data-status'), 'stopped', 'a new bot')
    assertEqual(await c.locator(tid('bot-mode')).getAttribute('data-mode'), 'paper', 'bot mode')
    const range = await text(page, `${tid('bot-card')}[data-bot-id="${botId}"] ${tid('bot-range')}`)
    assert(range.replaceAll(',', '').includes(grid.lower_bound), `range "${range}" lacks ${grid.lower_bound}`)
    await page.evaluate(() => {
      window.__e2eNoReload = 'still the same page'
    })
  })

  let before
  await s.step('start it: running, its orders drawn on the chart as price lines', async () => {
    await card(page, botId).locator(tid('bot-start')).click()
    await waitStatus(page, botId, 'running')
    const chart = page.locator(tid('price-chart'))
    const open = await eventually('open orders in the API', async () => {
      const o = await openOrders(token, botId)
      return o.length >= LEVELS - 2 ? o : false
    })
    const lines = await eventually(
      `buy and sell lines on the chart for the ${open.length} open orders`,
      async () => {
        const n = {
          levels: Number(await chart.getAttribute('data-levels')),
          buy: Number(await chart.getAttribute('data-buy-lines')),
          sell: Number(await chart.getAttribute('data-sell-lines')),
          candles: Number(await chart.getAttribute('data-candles')),
        }
        return n.levels === LEVELS && n.buy > 0 && n.sell > 0 && n.buy + n.sell === open.length && n.candles > 0 ? n : false
      },
      { timeout: 20000 },
    )
    log(`    chart: ${lines.candles} candles, ${lines.buy} buy + ${lines.sell} sell lines of ${lines.levels} levels`)
    const openText = await text(page, `${tid('bot-card')}[data-bot-id="${botId}"] ${tid('bot-open-orders')}`)
    assert(openText.startsWith(`${open.length}/`), `open orders on the card: "${openText}", the API lists ${open.length}`)
    await eventually('header: 1 bot running', async () => (await text(page, tid('header-bots-running'))) === '1', {
      timeout: 20000,
    })
    await sleep(1500) // the summary refresh after the last stream event
    before = {
      pnlTotal: await text(page, tid('header-pnl-total')),
      realized: await text(page, `${tid('bot-card')}[data-bot-id="${botId}"] ${tid('bot-realized')}`),
      unrealized: await text(page, `${tid('bot-card')}[data-bot-id="${botId}"] ${tid('bot-unrealized')}`),
      lastPrice: await text(page, tid('last-price')),
      fillIds: await page.locator(tid('trade-row')).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-fill-id'))),
    }
    s.note(`before fills ${JSON.stringify(before)}`)
  })

  await s.step('fills arrive in the trade table and the P&L changes, without reloading', async () => {
    await simResume()
    const started = Date.now()
    let drove = false
    const newRows = async () => {
      const rows = await page.locator(tid('trade-row')).evaluateAll((els) =>
        els.map((r) => ({ id: r.getAttribute('data-fill-id'), side: r.getAttribute('data-side'), pnl: r.lastElementChild?.textContent?.trim() ?? '' })),
      )
      return rows.filter((r) => !before.fillIds.includes(r.id))
    }
    await eventually(
      'a new sell fill with its P&L in the trade table',
      async () => {
        const fresh = await newRows()
        if (fresh.some((r) => r.side === 'sell' && /\d/.test(r.pnl))) return true
        if (!drove && config.simUrl && Date.now() - started > FILL_GRACE_MS) {
          // The walk has not crossed a level yet: trade at the lowest sell level (it closes a round trip).
          drove = true
          const { body: st } = await api('GET', `/api/bots/${botId}/stats`, { token })
          const sells = st.levels.filter((l) => l.state === 'sell').map((l) => cents(l.price))
          if (sells.length) await simPrice(fromCents(Math.min(...sells) + 1))
          log('    no fill from the random walk yet: moved the price onto the lowest sell level')
        }
        return false
      },
      { timeout: FILL_TIMEOUT_MS, interval: 500 },
    ).catch(async (e) => {
      const { body: fills } = await api('GET', `/api/fills?bot_id=${botId}&limit=50`, { token })
      throw new Error(
        `${e.message}; GET /api/fills lists ${fills.length} fill(s) (${before.fillIds.length} shown before): ` +
          (fills.length > before.fillIds.length ? 'the fills exist but no WebSocket "fill" reached the table' : 'no fill happened'),
      )
    })
    const fresh = await newRows()
    log(`    ${fresh.length} new fill(s) after ${((Date.now() - started) / 1000).toFixed(1)} s${drove ? ' (price moved by the test)' : ' (random walk)'}`)
    await eventually('the bot card P&L (realized or unrealized) changes', async () => {
      const sel = `${tid('bot-card')}[data-bot-id="${botId}"]`
      const realized = await text(page, `${sel} ${tid('bot-realized')}`)
      const unrealized = await text(page, `${sel} ${tid('bot-unrealized')}`)
      return realized !== before.realized || unrealized !== before.unrealized
    })
    await eventually('the header all-time P&L changes', async () => (await text(page, tid('header-pnl-total'))) !== before.pnlTotal, {
      timeout: 20000,
    })
    await eventually('the last price moves (market stream)', async () => (await text(page, tid('last-price'))) !== before.lastPrice)
    await eventually('fill markers on the chart', async () => Number(await page.locator(tid('price-chart')).getAttribute('data-fills')) > before.fillIds.length)
    const trades = await text(page, tid('stat-total-trades'))
    assert(/\(\d+ fills\)/.test(trades) && !/\(0 fills\)/.test(trades), `stats panel: "${trades}"`)
    assertEqual(await page.evaluate(() => window.__e2eNoReload), 'still the same page', 'the page was reloaded')
    s.note(`after fills: ${await text(page, tid('header-pnl'))} | ${trades}`)
    await s.screenshot('dashboard')
    await page.setViewportSize({ width: 390, height: 844 })
    await sleep(300)
    await s.screenshot('dashboard-mobile')
    await page.setViewportSize({ width: 1280, height: 900 })
  })

  await s.step('stop it (keeping the coins): stopped, its orders cancelled', async () => {
    await stopFromCard(page, botId, { sell: false })
    await waitStatus(page, botId, 'stopped')
    await eventually('no open order left (API)', async () => (await openOrders(token, botId)).length === 0, { timeout: 20000 })
    await eventually('header: 0 bots running', async () => (await text(page, tid('header-bots-running'))) === '0', {
      timeout: 20000,
    })
    const reason = await text(page, `${tid('bot-card')}[data-bot-id="${botId}"] ${tid('bot-stop-reason')}`).catch(() => '')
    s.note(`stop reason: ${reason}`)
  })

  await s.step('Emergency STOP: typed confirmation, every bot stopped and its orders cancelled', async () => {
    // Run the bot again (price back at the grid's centre) so there is something to stop.
    await simPause()
    await simPrice(center)
    await card(page, botId).locator(tid('bot-start')).click()
    await waitStatus(page, botId, 'running')
    const open = await eventually('orders placed again', async () => {
      const o = await openOrders(token, botId)
      return o.length > 0 ? o : false
    })
    await page.click(tid('emergency-stop'))
    const dialog = page.locator(tid('emergency-stop-dialog'))
    await dialog.waitFor()
    const body = (await dialog.textContent()) ?? ''
    assert(/every bot/i.test(body) && /every open order/i.test(body), `the dialog does not say what it does: "${body}"`)
    assert(await page.locator(tid('emergency-stop-confirm')).isDisabled(), 'confirm is enabled before typing STOP')
    await page.fill(tid('emergency-stop-input'), 'STO')
    assert(await page.locator(tid('emergency-stop-confirm')).isDisabled(), 'confirm is enabled with "STO"')
    await page.fill(tid('emergency-stop-input'), 'STOP')
    await page.click(tid('emergency-stop-confirm'))
    const result = page.locator(tid('emergency-stop-result'))
    await result.waitFor({ timeout: 30000 })
    const said = ((await result.textContent()) ?? '').trim()
    const m = /Stopped (\d+) bot\(s\); cancelled (\d+) order\(s\)/.exec(said)
    assert(m, `unexpected result text "${said}"`)
    assertEqual(Number(m[1]), 1, `stopped bots ("${said}")`)
    assertEqual(Number(m[2]), open.length, `cancelled orders ("${said}"; the market is paused, so none filled meanwhile)`)
    assertEqual(await page.locator(tid('emergency-stop-failures')).count(), 0, 'orders the emergency stop could not cancel')
    log(`    "${said}" (${open.length} were open)`)
    await s.screenshot('emergency-stop')
    await dialog.getByRole('button', { name: 'Close' }).click()
    await waitStatus(page, botId, 'stopped')
    await eventually('no open order left after the emergency stop (API)', async () => (await openOrders(token, botId)).length === 0, {
      timeout: 20000,
    })
    await eventually('header: 0 bots running', async () => (await text(page, tid('header-bots-running'))) === '0', {
      timeout: 20000,
    })
  })
})

scenario('live mode: switching and starting ask for a confirmation that explains the risk', async (s) => {
  const { page } = s
  const email = newEmail('live')
  let botId
  let token
  s.cleanup(simResume)

  await s.step('a user with a paper bot logs in', async () => {
    token = await registerApi(email)
    await simPause()
    const { body } = await api('POST', '/api/bots', {
      token,
      body: { strategy: 'grid', pair: PAIR, mode: 'paper', config: gridAround(await price(token)) },
    })
    botId = body.id
    await page.goto('/login')
    await loginUi(page, email)
    await page.waitForURL((u) => u.pathname === '/')
    await card(page, botId).waitFor()
  })

  const dialog = page.locator(tid('live-confirm-dialog'))
  await s.step('LIVE on the config page opens the risk confirmation; "Stay on paper" keeps paper', async () => {
    await card(page, botId).locator(tid('bot-configure')).click()
    await page.waitForURL((u) => u.pathname === `/bots/${botId}/config`)
    await eventually('the bot loaded into the form', async () => (await page.inputValue(tid('input-lower_bound'))) !== '')
    await page.click(tid('mode-live'))
    await dialog.waitFor()
    const body = ((await dialog.textContent()) ?? '').replace(/\s+/g, ' ')
    for (const phrase of ['real money', 'real orders', 'lose money', 'Fees', 'stop loss']) {
      assert(body.includes(phrase), `the confirmation does not mention "${phrase}": "${body}"`)
    }
    assert(await page.locator(tid('live-confirm-accept')).isDisabled(), 'accept is enabled before the box is ticked')
    await s.screenshot('live-confirm')
    await page.click(tid('live-confirm-cancel'))
    await dialog.waitFor({ state: 'hidden' })
    assertEqual(await page.locator(tid('input-mode')).getAttribute('data-mode'), 'paper', 'mode after "Stay on paper"')
  })

  await s.step('ticking "I understand" and accepting switches to live; Save keeps it', async () => {
    await page.click(tid('mode-live'))
    await dialog.waitFor()
    await page.check(tid('live-confirm-check'))
    await page.click(tid('live-confirm-accept'))
    await dialog.waitFor({ state: 'hidden' })
    assertEqual(await page.locator(tid('input-mode')).getAttribute('data-mode'), 'live', 'mode after accepting')
    await page.click(tid('config-save'))
    await eventually('"Saved."', async () => (await text(page, tid('config-message'))) === 'Saved.')
    const { body } = await api('GET', `/api/bots/${botId}`, { token })
    assertEqual(body.mode, 'live', 'the saved bot mode (API)')
  })

  await s.step('starting the live bot asks again; without API keys the server refuses and says why', async () => {
    await page.click('a[href="/"]')
    await page.waitForURL((u) => u.pathname === '/')
    const c = card(page, botId)
    assertEqual(await c.locator(tid('bot-mode')).getAttribute('data-mode'), 'live', 'card mode')
    await c.locator(tid('bot-start')).click()
    await dialog.waitFor()
    assert(((await dialog.textContent()) ?? '').includes('Start a LIVE bot?'), 'the start confirmation title')
    await page.check(tid('live-confirm-check'))
    await page.click(tid('live-confirm-accept'))
    const err = await eventually('the refusal on the card', async () => {
      const t = await text(page, `${tid('bot-card')}[data-bot-id="${botId}"] ${tid('bot-error')}`)
      return t || false
    })
    assert(/api key/i.test(err), `the refusal does not name the API keys: "${err}"`)
    assertEqual(await c.getAttribute('data-status'), 'stopped', 'a refused live bot')
    assertEqual(await page.locator(tid('mode-indicator')).getAttribute('data-mode'), 'paper', 'header mode')
    assertEqual(await page.locator(tid('live-banner')).count(), 0, 'live banner without a live bot running')
  })
})

scenario('session: a 401 from the API sends the user back to login, then back where they were', async (s) => {
  const { page } = s
  const email = newEmail('expired')
  let botId

  await s.step('log in, with a bot on the dashboard', async () => {
    const token = await registerApi(email)
    const { body } = await api('POST', '/api/bots', {
      token,
      body: { strategy: 'grid', pair: PAIR, mode: 'paper', config: gridAround(await price(token)) },
    })
    botId = body.id
    await page.goto('/login')
    await loginUi(page, email)
    await page.waitForURL((u) => u.pathname === '/')
    await card(page, botId).waitFor()
  })

  await s.step('the token goes bad; the next API call answers 401 and the login page says the session ended', async () => {
    const configure = card(page, botId).locator(tid('bot-configure'))
    await configure.waitFor()
    const got401 = page.waitForResponse((r) => r.url().includes('/api/') && r.status() === 401)
    // the token goes bad as the user clicks: one task, so no background refresh can answer 401 in between
    await configure.evaluate((button) => {
      sessionStorage.setItem('gridbot.token', 'expired.not-a.jwt')
      button.click()
    })
    const r = await got401
    s.note(`401 from ${r.url()}`)
    await page.waitForURL((u) => u.pathname === '/login')
    const u = new URL(page.url())
    assertEqual(u.searchParams.get('expired'), '1', 'expired flag')
    assertEqual(u.searchParams.get('redirect'), `/bots/${botId}/config`, 'redirect back')
    assert((await text(page, tid('login-form'))).includes('Your session has ended'), 'no "session ended" notice')
    assertEqual(await page.evaluate(() => sessionStorage.getItem('gridbot.token')), null, 'the bad token is cleared')
  })

  await s.step('logging in again returns to the page asked for', async () => {
    await loginUi(page, email)
    await page.waitForURL((u) => u.pathname === `/bots/${botId}/config`)
    await eventually('the bot loaded into the form', async () => (await page.inputValue(tid('input-lower_bound'))) !== '')
  })
})

scenario("bot page: the form keeps every setting, stop asks sell or keep, levels, runs, delete, phone width", async (s) => {
  const { page } = s
  let token
  let botId
  let grid
  s.cleanup(simResume)

  /** Puts the price back in the middle of the grid and starts the bot from its card, the market held still. */
  const startInsideGrid = async () => {
    await simPause()
    if (config.simUrl) await simPrice(fromCents(Math.round((cents(grid.lower_bound) + cents(grid.upper_bound)) / 2)))
    await card(page, botId).locator(tid('bot-start')).click()
    await waitStatus(page, botId, 'running')
    await eventually('its orders placed', async () => (await openOrders(token, botId)).length >= LEVELS - 2, { timeout: 20000 })
  }
  const runsApi = async () => (await api('GET', `/api/bots/${botId}/runs`, { token })).body
  const runRows = () =>
    page.locator(tid('run-row')).evaluateAll((els) =>
      els.map((e) => ({
        generation: Number(e.getAttribute('data-generation')),
        current: e.getAttribute('data-current') === 'true',
        fills: e.querySelector('[data-testid="run-fills"]')?.textContent?.trim(),
        end: e.querySelector('[data-testid="run-end"]')?.textContent?.trim(),
      })),
    )

  await s.step('a user with a bot opens its configuration', async () => {
    token = await registerApi(newEmail('botpage'))
    grid = gridAround(await price(token))
    const { body } = await api('POST', '/api/bots', { token, body: { strategy: 'grid', pair: PAIR, mode: 'paper', config: grid } })
    botId = body.id
    // the session as the login form leaves it (spares the rate-limited login route)
    await page.goto('/login')
    await page.evaluate((t) => sessionStorage.setItem('gridbot.token', t), token)
    await page.goto(`/bots/${botId}/config`)
    await eventually('the bot loaded into the form', async () => (await page.inputValue(tid('input-lower_bound'))) !== '')
    assert(await page.locator(tid('input-strategy')).isDisabled(), "an existing bot's strategy cannot be changed")
  })

  await s.step('stop loss and take profit say what they mean and the price each means', async () => {
    await page.fill(tid('input-stop_loss_pct'), '2')
    await page.fill(tid('input-take_profit_pct'), '5')
    const sl = (await text(page, tid('field-stop_loss_pct'))).replaceAll(',', '')
    const tp = (await text(page, tid('field-take_profit_pct'))).replaceAll(',', '')
    // the exact prices (lower × 0.98, upper × 1.05), in hundredths of a cent
    const slPrice = (BigInt(cents(grid.lower_bound)) * 98n).toString()
    const tpPrice = (BigInt(cents(grid.upper_bound)) * 105n).toString()
    const shown = (t, word) => {
      const m = new RegExp(`${word} to (\\d+)\\.(\\d+)`).exec(t)
      return m ? `${m[1]}${m[2].padEnd(4, '0')}` : null
    }
    assert(sl.includes('below the lower bound') && shown(sl, 'falls') === slPrice, `stop loss field: "${sl}" (expected ${slPrice} × 1e-4)`)
    assert(tp.includes('above the upper bound') && shown(tp, 'rises') === tpPrice, `take profit field: "${tp}" (expected ${tpPrice} × 1e-4)`)
  })

  await s.step('saving keeps every setting: trail, sell on stop, fees in quote at 0.00075 (reload, and the API agrees)', async () => {
    await page.selectOption(tid('input-out_of_range'), 'trail')
    await page.check(tid('input-sell_on_stop'))
    await page.selectOption(tid('input-fee_asset'), 'quote')
    await page.fill(tid('input-fee_rate'), '0.00075')
    assertEqual(await text(page, tid('unit-note-fee_rate')), '= 0.075 %', 'the rate as a percentage')
    for (const f of ['out_of_range', 'sell_on_stop', 'fee_asset', 'fee_rate']) {
      const hint = await text(page, tid(`field-${f}`))
      assert(hint.length > 20, `no explanation beside ${f}: "${hint}"`)
    }
    const { body: before } = await api('GET', `/api/bots/${botId}`, { token })
    await page.click(tid('config-save'))
    await eventually('"Saved."', async () => (await text(page, tid('config-message'))) === 'Saved.')
    const { body: after } = await api('GET', `/api/bots/${botId}`, { token })
    const dropped = Object.keys(before.config).filter((k) => before.config[k] != null && after.config[k] == null)
    assertEqual(JSON.stringify(dropped), '[]', 'settings the save dropped')
    await page.reload()
    await eventually('the bot loaded into the form', async () => (await page.inputValue(tid('input-lower_bound'))) !== '')
    const shown = {
      out_of_range: await page.locator(tid('input-out_of_range')).inputValue(),
      sell_on_stop: await page.locator(tid('input-sell_on_stop')).isChecked(),
      fee_asset: await page.locator(tid('input-fee_asset')).inputValue(),
      fee_rate: await page.inputValue(tid('input-fee_rate')),
      stop_loss_pct: await page.inputValue(tid('input-stop_loss_pct')),
      take_profit_pct: await page.inputValue(tid('input-take_profit_pct')),
    }
    const want = { out_of_range: 'trail', sell_on_stop: true, fee_asset: 'quote', fee_rate: '0.00075', stop_loss_pct: '2', take_profit_pct: '5' }
    assertEqual(JSON.stringify(shown), JSON.stringify(want), 'the form after a reload')
    const { body } = await api('GET', `/api/bots/${botId}`, { token })
    const c = body.config
    const stored = { out_of_range: c.out_of_range, sell_on_stop: c.sell_on_stop, fee_asset: c.fee_asset, fee_rate: c.fee_rate, stop_loss_pct: c.stop_loss_pct, take_profit_pct: c.take_profit_pct }
    const wantStored = { out_of_range: 'trail', sell_on_stop: true, fee_asset: 'quote', fee_rate: '0.00075', stop_loss_pct: '2', take_profit_pct: '5' }
    assertEqual(JSON.stringify(stored), JSON.stringify(wantStored), 'GET /api/bots/{id} config')
    assertEqual(c.lower_bound, grid.lower_bound, 'lower bound kept')
  })

  await s.step('the form at desktop and phone width (390 px), nothing sticking out sideways', async () => {
    await scrollTo(page, 'field-stop_loss_pct', 'center')
    await s.screenshot('bot-form', { fullPage: false })
    await page.setViewportSize({ width: 390, height: 844 })
    await sleep(300)
    assert(!(await overflowsSideways(page)), 'the form is wider than a 390 px screen')
    await scrollTo(page, 'field-stop_loss_pct')
    await s.screenshot('bot-form-mobile', { fullPage: false })
    await page.setViewportSize({ width: 1280, height: 900 })
  })

  await s.step("the bot's page (/bots/:id): every grid level listed, the one nearest the price marked", async () => {
    await page.click('a[href="/"]')
    await card(page, botId).click()
    await page.waitForURL((u) => u.pathname === `/bots/${botId}`)
    await startInsideGrid()
    const { body: st } = await api('GET', `/api/bots/${botId}/stats`, { token })
    assertEqual(st.levels.length, LEVELS, 'levels in GET /stats')
    const rows = await eventually('a row per level, states as the API has them', async () => {
      const r = await page.locator(tid('level-row')).evaluateAll((els) =>
        els.map((e) => ({ index: Number(e.getAttribute('data-index')), state: e.getAttribute('data-state'), nearest: e.getAttribute('data-nearest') === 'true' })),
      )
      const byIndex = new Map(r.map((x) => [x.index, x.state]))
      return r.length === LEVELS && st.levels.every((l) => byIndex.get(l.index) === l.state) ? r : false
    })
    assertEqual(rows.filter((r) => r.nearest).length, 1, 'levels marked nearest the price')
    const sells = rows.filter((r) => r.state === 'sell').length
    const buys = rows.filter((r) => r.state === 'buy').length
    assert(sells > 0 && buys > 0, `a running grid has buys and sells: ${buys} buy, ${sells} sell`)
  })

  await s.step('a running bot cannot be deleted: the server says why', async () => {
    await page.click(tid('bot-delete'))
    await page.locator(tid('delete-dialog')).waitFor()
    await page.locator(tid('delete-not-idle')).waitFor()
    await page.click(tid('delete-confirm'))
    const err = await eventually('the refusal in the dialog', async () => (await text(page, tid('delete-error'))) || false)
    assert(/stop/i.test(err), `the 409's message: "${err}"`)
    await page.locator(tid('delete-dialog')).getByRole('button', { name: 'Cancel' }).click()
    await page.locator(tid('delete-dialog')).waitFor({ state: 'hidden' })
    await api('GET', `/api/bots/${botId}`, { token })
  })

  await s.step('stop asks sell or keep (from the bot\'s "sell on stop"); "keep it running" changes nothing; keep stops without selling', async () => {
    await simResume()
    await sleep(3000)
    await card(page, botId).locator(tid('bot-stop')).click()
    await page.locator(tid('stop-dialog')).waitFor()
    await s.screenshot('stop-dialog', { fullPage: false })
    await page.click(tid('stop-cancel'))
    await page.locator(tid('stop-dialog')).waitFor({ state: 'hidden' })
    assertEqual(await card(page, botId).getAttribute('data-status'), 'running', 'after "Keep it running"')
    const { startedFrom } = await stopFromCard(page, botId, { sell: false })
    assertEqual(startedFrom, 'true', 'the dialog starts from the bot\'s "sell on stop" (on)')
    await waitStatus(page, botId, 'stopped')
    const { body: orders } = await api('GET', `/api/orders?bot_id=${botId}&limit=1000`, { token })
    assertEqual(orders.filter((o) => o.client_order_id.endsWith('-stop')).length, 0, 'sale orders after stopping with "keep"')
  })

  let firstGeneration
  await s.step('the runs section shows the run, with the fills the API counts for it', async () => {
    const runs = await eventually('the run in GET /runs', async () => {
      const r = await runsApi()
      return r.length >= 1 ? r : false
    })
    firstGeneration = runs[0].generation
    const row = await eventually('the run in the runs section', async () => {
      const rows = await runRows()
      const r = rows.find((x) => x.generation === firstGeneration)
      return r && r.fills === String(runs[0].fills) ? r : false
    })
    assert(row.current, 'the last run of a stopped bot whose settings did not change is the current one')
    assert(/stopped by the user/.test(row.end ?? ''), `how the run ended: "${row.end}"`)
  })

  await s.step('start again and stop selling the coins: a market sale, and two runs', async () => {
    await startInsideGrid()
    await simResume()
    await stopFromCard(page, botId, { sell: true })
    await waitStatus(page, botId, 'stopped')
    await eventually('the sale at the stop (an order "…-stop")', async () => {
      const { body: orders } = await api('GET', `/api/orders?bot_id=${botId}&limit=1000`, { token })
      return orders.some((o) => o.client_order_id.endsWith('-stop'))
    }, { timeout: 20000 })
    const rows = await eventually('both runs in the runs section', async () => {
      const r = await runRows()
      return r.length >= 2 && r.some((x) => x.generation === firstGeneration && !x.current) ? r : false
    })
    assert(rows[0].generation > firstGeneration && rows[0].current, `the newest run first and current: ${JSON.stringify(rows)}`)
    // the chart marks the current run's fills only
    const chart = page.locator(tid('price-chart'))
    let seen
    await eventually("the chart's fills are the current run's, as GET /runs counts them", async () => {
      const current = (await runsApi()).find((r) => r.current)
      seen = { chart: Number(await chart.getAttribute('data-run-fills')), api: current?.fills }
      return seen.chart === seen.api
    }).catch((e) => {
      throw new Error(`${e.message}: ${JSON.stringify(seen)}`)
    })
  })

  await s.step("the bot's page at desktop and phone width (390 px), nothing sticking out sideways", async () => {
    await page.locator(tid('runs-section')).waitFor()
    await s.screenshot('bot-page', { fullPage: false })
    await scrollTo(page, 'levels-table')
    await s.screenshot('bot-page-levels-runs', { fullPage: false })
    await page.setViewportSize({ width: 390, height: 844 })
    await sleep(500)
    assert(!(await overflowsSideways(page)), "the bot's page is wider than a 390 px screen")
    await scrollTo(page, 'bot-detail')
    await s.screenshot('bot-page-mobile', { fullPage: false })
    await scrollTo(page, 'runs-section')
    await s.screenshot('bot-page-mobile-runs', { fullPage: false })
    await page.setViewportSize({ width: 1280, height: 900 })
    await scrollTo(page, 'bot-detail')
  })

  await s.step('a stopped bot is deleted: gone from the list and from the API', async () => {
    await page.click(tid('bot-delete'))
    await page.locator(tid('delete-dialog')).waitFor()
    assertEqual(await page.locator(tid('delete-not-idle')).count(), 0, 'the not-stopped warning for a stopped bot')
    await page.click(tid('delete-confirm'))
    await page.locator(tid('delete-dialog')).waitFor({ state: 'hidden' })
    await page.waitForURL((u) => u.pathname === '/')
    await eventually('the card is gone', async () => (await card(page, botId).count()) === 0)
    await page.locator(tid('no-bots')).waitFor()
    await api('GET', `/api/bots/${botId}`, { token, expect: [404] })
    assertEqual(s.pageErrors.length, 0, `page errors: ${s.pageErrors.join(' | ')}`)
  })
})

/**
 * Register and login share a per-address limit (10, then one per 6 s) that the scenarios before this one spend: an
 * auth call that answers 429 is retried after its Retry-After (60 s at most in all).
 */
async function authPatiently(what, call) {
  const deadline = Date.now() + 60000
  for (;;) {
    const r = await call()
    if (r.status !== 429 || Date.now() > deadline) return r
    log(`    ${what}: rate limited, retrying in ${r.retryAfter} s`)
    await sleep(r.retryAfter * 1000)
  }
}

async function apiAuth(path, body) {
  const r = await authPatiently(path, async () => {
    const res = await fetch(`${config.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    })
    return { status: res.status, retryAfter: Number(res.headers.get('retry-after') ?? 1), body: await res.json() }
  })
  assert(r.status === 200 || r.status === 201, `POST ${path} answered ${r.status}: ${JSON.stringify(r.body)}`)
  return r.body
}

/** Logs in through the form, submitting again after a 429 (see authPatiently); waits for the dashboard. */
async function loginUiPatiently(page, email, password) {
  await page.fill(tid('login-email'), email)
  await page.fill(tid('login-password'), password)
  await authPatiently('log in through the form', async () => {
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/auth/login'))
    await page.click(tid('login-submit'))
    const res = await answered
    return { status: res.status(), retryAfter: Number((await res.headerValue('retry-after')) ?? 1) }
  })
  await page.waitForURL((u) => u.pathname === '/')
}

scenario('account: log out revokes the token, password change with zxcvbn advice, log out everywhere', async (s) => {
  const { page } = s
  const email = newEmail('account')
  const newPassword = 'lunar tapir mortgages bellwether'
  let otherDevice
  let uiToken

  await s.step('log in through the form; another device holds a token too', async () => {
    await apiAuth('/api/auth/register', { email, password: PASSWORD })
    otherDevice = (await apiAuth('/api/auth/login', { email, password: PASSWORD })).access_token
    await page.goto('/login')
    await loginUiPatiently(page, email, PASSWORD)
    uiToken = await s.token()
    assert(uiToken && uiToken !== otherDevice, 'the dashboard has a token of its own')
  })

  await s.step('"Log out" revokes the token on the server, not only in the tab', async () => {
    await page.click(tid('logout'))
    await page.waitForURL((u) => u.pathname === '/login')
    await api('GET', '/api/auth/me', { token: uiToken, expect: [401] })
    await api('GET', '/api/auth/me', { token: otherDevice })
    await loginUiPatiently(page, email, PASSWORD)
  })

  await s.step('a weak new password shows the API\'s advice under the field', async () => {
    await page.goto('/bots/new')
    await page.locator(tid('account-panel')).waitFor()
    await page.fill(tid('input-current_password'), PASSWORD)
    await page.fill(tid('input-new_password'), 'password123')
    await page.fill(tid('input-confirm_password'), 'password123')
    await page.click(tid('password-save'))
    const advice = page.locator(tid('field-error-new_password'))
    await advice.waitFor()
    const said = (await advice.textContent()) ?? ''
    assert(said.includes('too easy to guess'), `advice shown: ${said}`)
  })

  await s.step('a strong one is taken: other sessions end, this one goes on with the fresh token', async () => {
    await page.fill(tid('input-new_password'), newPassword)
    await page.fill(tid('input-confirm_password'), newPassword)
    await page.click(tid('password-save'))
    await page.locator(tid('password-changed')).waitFor()
    await api('GET', '/api/auth/me', { token: otherDevice, expect: [401] })
    uiToken = await s.token()
    await api('GET', '/api/auth/me', { token: uiToken })
  })

  await s.step('"Log out everywhere" (clicked twice) ends this session too', async () => {
    await page.click(tid('logout-everywhere'))
    await page.click(tid('logout-everywhere'))
    await page.waitForURL((u) => u.pathname === '/login')
    await api('GET', '/api/auth/me', { token: uiToken, expect: [401] })
    const fresh = (await apiAuth('/api/auth/login', { email, password: newPassword })).access_token
    await api('GET', '/api/auth/me', { token: fresh })
  })
})

scenario('mean reversion: a paper bot from its schema form, listed, its page with the bands, an entry and an exit', async (s) => {
  const { page } = s
  let token
  let botId
  let schema
  s.cleanup(simResume)
  s.cleanup(async () => {
    if (botId && token) await api('POST', `/api/bots/${botId}/stop`, { token, expect: [202, 409] }).catch(() => {})
  })
  const fillsApi = async () => (await api('GET', `/api/fills?bot_id=${botId}&limit=100`, { token })).body

  await s.step('the new-bot form offers the strategies bots run; mean reversion brings the fields of its schema', async () => {
    const email = newEmail('meanrev')
    await apiAuth('/api/auth/register', { email, password: PASSWORD })
    token = (await apiAuth('/api/auth/login', { email, password: PASSWORD })).access_token
    await page.goto('/login')
    await page.evaluate((t) => sessionStorage.setItem('gridbot.token', t), token)
    await page.goto('/bots/new')
    await page.locator(tid('input-capital')).waitFor()
    const { body: strategies } = await api('GET', '/api/strategies', { token })
    const offered = await page.locator(`${tid('input-strategy')} option`).evaluateAll((els) => els.map((e) => e.value))
    assertEqual(offered.join(), strategies.filter((x) => x.bots).map((x) => x.name).join(), 'the strategies offered')
    const mr = strategies.find((x) => x.name === 'mean_reversion')
    assert(mr, `GET /api/strategies has no mean_reversion: ${JSON.stringify(strategies.map((x) => x.name))}`)
    schema = mr.schema
    await page.selectOption(tid('input-strategy'), 'mean_reversion')
    const order = (schema['x-order'] ?? Object.keys(schema.properties)).filter((k) => k in schema.properties)
    await eventually('the fields of its schema, in its order', async () => {
      const shown = await page
        .locator(`${tid('schema-form')} > [data-testid^="field-"]`)
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-testid').slice('field-'.length)))
      return shown.join() === order.join()
    })
    assertEqual(await page.locator(tid('input-lower_bound')).count(), 0, 'grid fields in the mean-reversion form')
    assertEqual(await page.locator(tid('config-ai-optimize')).count(), mr.ai ? 1 : 0, 'AI Optimize buttons')
    assertEqual(await page.inputValue(tid('input-window')), String(schema.properties.window.default ?? ''), 'the window, pre-filled')
    assertEqual(await page.inputValue(tid('input-band')), String(schema.properties.band.default ?? ''), 'the band, pre-filled')
    assertEqual(await text(page, tid('unit-band')), 'σ', "the band's unit")
    assertEqual(await text(page, tid('unit-capital')), 'USDT', "the capital's unit")
  })

  await s.step("a band of 0 is refused by the server (422), beside its field", async () => {
    await page.fill(tid('input-capital'), '1000')
    // the schema gives the band no lower bound (its description says "above 0"): the server's check answers
    await page.fill(tid('input-band'), '0')
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/bots/test-config'), { timeout: 5000 }).catch(() => null)
    await page.click(tid('config-test'))
    const err = await eventually('the band\'s error', async () => (await page.locator(tid('field-error-band')).count()) > 0 && text(page, tid('field-error-band')))
    const res = await answered
    s.note(`band 0: "${err}" (${res ? `the server's ${res.status()}` : 'the form\'s own check'})`)
    if (res) assertEqual(res.status(), 422, 'test-config with band 0')
  })

  await s.step('Test Config previews it; Create lists it as a stopped paper mean-reversion bot with its settings', async () => {
    await page.fill(tid('input-band'), '2')
    await page.fill(tid('input-window'), '20')
    await page.fill(tid('input-stop_loss_pct'), '5')
    await page.click(tid('config-test'))
    const result = page.locator(tid('test-config-result'))
    await result.waitFor({ timeout: 30000 })
    assertEqual(await result.getAttribute('data-valid'), 'true', 'test-config valid')
    await scrollTo(page, 'config-form')
    await s.screenshot('mean-reversion-form', { fullPage: false })
    await page.click(tid('config-save'))
    await page.waitForURL((u) => u.pathname === '/')
    const c = page.locator(tid('bot-card')).first()
    await c.waitFor()
    botId = Number(await c.getAttribute('data-bot-id'))
    assertEqual(await c.locator(tid('bot-strategy')).getAttribute('data-strategy'), 'mean_reversion', "the card's strategy")
    assertEqual(await c.getAttribute('data-status'), 'stopped', 'a new bot')
    assert((await c.locator(tid('bot-signal')).textContent()).includes('20-candle average'), 'the card says its entry rule')
    const { body } = await api('GET', `/api/bots/${botId}`, { token })
    assertEqual(`${body.strategy} ${body.mode}`, 'mean_reversion paper', 'GET /api/bots/{id}')
    const want = { capital: '1000', window: 20, band: '2', stop_loss_pct: '5', fee_rate: '0.001', fee_asset: 'base' }
    const got = Object.fromEntries(Object.keys(want).map((k) => [k, body.config[k]]))
    assertEqual(JSON.stringify(got), JSON.stringify(want), 'the stored config')
  })

  await s.step("its page: no grid levels, the average and the lower band over the candles, flat", async () => {
    await card(page, botId).click()
    await page.waitForURL((u) => u.pathname === `/bots/${botId}`)
    await page.locator(tid('levels-none')).waitFor()
    const chart = page.locator(tid('price-chart'))
    const drawn = await eventually('a band point per candle from the 20th', async () => {
      const candles = Number(await chart.getAttribute('data-candles'))
      const bands = Number(await chart.getAttribute('data-bands'))
      return candles >= 20 && bands === candles - 19 ? { candles, bands } : false
    })
    s.note(`chart: ${JSON.stringify(drawn)}`)
    assertEqual(await page.locator(tid('stat-position')).getAttribute('data-open'), 'false', 'a bot that never ran: its position')
  })

  await s.step('started: a close far below the band is an entry, the close back at the average an exit, both marked', async () => {
    await card(page, botId).locator(tid('bot-start')).click()
    await waitStatus(page, botId, 'running')
    assert(config.simUrl, 'the market cannot be moved without E2E_SIM_URL')
    // One trade 8 % down makes a candle of its own (the walk goes on from its own price): its close is far below the
    // 20-candle average − 2σ (the walk moves ~0.3 % a candle), the next close is back at the average.
    let fills = []
    for (let attempt = 1; attempt <= 3; attempt++) {
      await sleep(3000)
      await simPause()
      const p = await price(token)
      await simPrice(fromCents(Math.round(cents(p) * 0.92)))
      await simResume()
      s.note(`attempt ${attempt}: ${p} → ${fromCents(Math.round(cents(p) * 0.92))}`)
      fills = await eventually('an entry (buy) and an exit (sell)', async () => {
        const f = await fillsApi()
        return f.some((x) => x.side === 'buy') && f.some((x) => x.side === 'sell') ? f : false
      }, { timeout: 20000 }).catch(() => [])
      if (fills.length) break
    }
    assert(fills.length, 'no entry and exit after three drops of 8 %')
    await eventually('the trade table shows them', async () => {
      const sides = await page.locator(tid('trade-row')).evaluateAll((els) => els.map((e) => e.getAttribute('data-side')))
      return sides.includes('buy') && sides.includes('sell')
    })
    const chart = page.locator(tid('price-chart'))
    let seen
    await eventually("the chart marks the current run's fills", async () => {
      const current = (await api('GET', `/api/bots/${botId}/runs`, { token })).body.find((r) => r.current)
      seen = { marked: Number(await chart.getAttribute('data-fills')), run: Number(await chart.getAttribute('data-run-fills')), api: current?.fills }
      return seen.run === seen.api && seen.marked === seen.run && seen.marked >= 2
    }).catch((e) => {
      throw new Error(`${e.message}: ${JSON.stringify(seen)}`)
    })
    await page.locator(tid('stat-position')).waitFor()
    await scrollTo(page, 'bot-detail')
    await s.screenshot('mean-reversion-page', { fullPage: false })
    await scrollTo(page, 'stats-panel')
    await s.screenshot('mean-reversion-stats', { fullPage: false })
    assertEqual(s.pageErrors.length, 0, `page errors: ${s.pageErrors.join(' | ')}`)
  })
})

scenario('overview: every bot in a sortable table, clone pre-fills the form, the market badge says Simulator', async (s) => {
  const { page } = s
  let token
  const ids = []
  s.cleanup(simResume)
  s.cleanup(async () => {
    for (const id of ids) await api('POST', `/api/bots/${id}/stop`, { token, expect: [202, 409] }).catch(() => {})
  })
  const order = () => page.locator(tid('overview-row')).evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-bot-id'))))
  const statsOf = async (id) => (await api('GET', `/api/bots/${id}/stats`, { token })).body

  await s.step('a user with three bots (one started) sees the simulator badge and one row per bot', async () => {
    const email = newEmail('overview')
    await apiAuth('/api/auth/register', { email, password: PASSWORD })
    token = (await apiAuth('/api/auth/login', { email, password: PASSWORD })).access_token
    const { body: system } = await api('GET', '/api/system')
    assertEqual(system.market, 'simulator', 'GET /api/system market')
    const grid = gridAround(await price(token))
    const mr = { capital: '1000', window: 30, band: '2.5', stop_loss_pct: '4', fee_rate: '0.001', fee_asset: 'base' }
    for (const [strategy, cfg] of [['grid', grid], ['mean_reversion', mr], ['grid', { ...grid, grid_levels: 10 }]]) {
      const { body } = await api('POST', '/api/bots', { token, body: { strategy, pair: PAIR, mode: 'paper', config: cfg } })
      ids.push(body.id)
    }
    await simPause()
    await api('POST', `/api/bots/${ids[0]}/start`, { token, body: {}, expect: [202] })
    await eventually('the started bot has a run', async () => (await statsOf(ids[0])).started_at != null, { timeout: 30000 })
    await simResume()
    await page.goto('/login')
    await page.evaluate((t) => sessionStorage.setItem('gridbot.token', t), token)
    await page.goto('/')
    const badge = page.locator(tid('market-badge'))
    await badge.waitFor()
    assertEqual(await badge.getAttribute('data-market'), 'simulator', 'the badge')
    assert((await badge.textContent()).includes('Simulator'), `badge text: ${await badge.textContent()}`)
    await eventually('one row per bot', async () => (await order()).length === 3)
  })

  await s.step('a click on a header sorts by it, again the other way; each row links to its page', async () => {
    await page.click(tid('overview-sort-running'))
    await eventually('sorted by running time, longest first', async () =>
      (await page.locator(tid('bots-overview')).getAttribute('data-sort')) === 'running:desc' && (await order())[0] === ids[0])
    await page.click(tid('overview-sort-name'))
    await page.click(tid('overview-sort-name'))
    // same pair: ties go by id, whichever the direction
    assertEqual((await page.locator(tid('bots-overview')).getAttribute('data-sort')), 'name:desc', 'sort after two clicks')
    // by total P&L, highest first, then lowest first: the figures the table shows are in that order
    const shownTotals = () =>
      page.locator(tid('overview-total-pnl')).evaluateAll((els) => els.map((e) => Number(e.textContent.replace(/[^0-9.+-]/g, ''))))
    for (const [dir, ok] of [['desc', (a, b) => a >= b], ['asc', (a, b) => a <= b]]) {
      await page.click(tid('overview-sort-total_pnl'))
      assertEqual(await page.locator(tid('bots-overview')).getAttribute('data-sort'), `total_pnl:${dir}`, 'sort')
      const totals = await shownTotals()
      s.note(`total P&L ${dir}: ${(await order()).join(',')} = ${totals.join(',')}`)
      assert(totals.length === 3 && totals.every((t, i) => i === 0 || ok(totals[i - 1], t)), `not ${dir}: ${totals.join(', ')}`)
    }
    await page.click(tid('overview-sort-total_pnl'))
    await page.locator(tid('bot-running')).first().waitFor()
    await s.screenshot('overview', { fullPage: false })
    await page.setViewportSize({ width: 390, height: 844 })
    await scrollTo(page, 'bots-overview')
    await s.screenshot('overview-mobile', { fullPage: false })
    assert(!(await overflowsSideways(page)), 'the page scrolls sideways at 390 px (the table may scroll inside itself)')
    await page.setViewportSize({ width: 1280, height: 900 })
    const link = page.locator(`${tid('overview-row')}[data-bot-id="${ids[0]}"] ${tid('overview-link')}`)
    await link.click()
    await page.waitForURL((u) => u.pathname === `/bots/${ids[0]}`)
    await page.locator(tid('stat-returns')).waitFor()
    await eventually('the stats panel shows the running time', async () => (await text(page, tid('stat-running'))) !== '—')
    await scrollTo(page, 'stats-panel')
    await s.screenshot('bot-returns', { fullPage: false })
  })

  await s.step("Clone opens the new-bot form with the bot's strategy, pair and settings, in paper mode", async () => {
    await page.goto('/')
    await page.locator(`${tid('overview-row')}[data-bot-id="${ids[1]}"] ${tid('overview-clone')}`).click()
    await page.waitForURL((u) => u.pathname === '/bots/new' && u.searchParams.get('from') === String(ids[1]))
    await page.locator(tid('config-cloned')).waitFor()
    await eventually('the form pre-filled', async () => (await page.inputValue(tid('input-window'))) === '30')
    assertEqual(await page.inputValue(tid('input-strategy')), 'mean_reversion', 'strategy')
    assertEqual(await page.inputValue(tid('input-band')), '2.5', 'band')
    assertEqual(await page.inputValue(tid('input-pair')), PAIR, 'pair')
    assertEqual(await page.locator(tid('input-mode')).getAttribute('data-mode'), 'paper', 'mode')
    await page.click(tid('config-save'))
    await page.waitForURL((u) => u.pathname === '/')
    const { body: bots } = await api('GET', '/api/bots', { token })
    const copy = bots.find((b) => !ids.includes(b.id))
    assert(copy, 'no new bot')
    ids.push(copy.id)
    assertEqual(JSON.stringify([copy.strategy, copy.mode, copy.config.window, copy.config.band]), JSON.stringify(['mean_reversion', 'paper', 30, '2.5']), 'the clone')
    assertEqual(s.pageErrors.length, 0, `page errors: ${s.pageErrors.join(' | ')}`)
  })
})

notificationsScenario({
  apiAuth,
  newEmail,
  password: PASSWORD,
  price,
  gridAround,
  openOrders,
  simPause,
  simResume,
  simPrice,
})
// the explaining views (exchange health, backtest chart, daily P&L), after these
await import('./insight.e2e.mjs')

process.exitCode = await run()
