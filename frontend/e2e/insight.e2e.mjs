// End-to-end scenarios of the views that explain a bot (issue #17): the exchange-health panel ("why no orders?"),
// the backtest chart in Test Config and beside an AI suggestion, and the daily P&L (per bot, per run, and for the
// account). Loaded by dashboard.e2e.mjs after its own scenarios, against the same `gridbot serve --offline`.

import { Abort, api, assert, assertEqual, config, eventually, log, scenario, sim, sleep, tid } from './lib/harness.mjs'

const PASSWORD = 'correct horse battery staple 42'
const SYMBOL = 'BTCUSDT'
const PAIR = 'BTC/USDT'
const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`

const simPause = () => (config.simUrl ? sim('POST', '/sim/pause') : null)
const simResume = () => (config.simUrl ? sim('POST', '/sim/resume') : null)

/** Register and login share a per-address limit that earlier scenarios spend: a 429 is retried after Retry-After. */
async function authPatiently(path, body) {
  const deadline = Date.now() + 90000
  for (;;) {
    const res = await fetch(`${config.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    })
    if (res.status !== 429 || Date.now() > deadline) {
      const json = await res.json()
      assert(res.status === 200 || res.status === 201, `POST ${path} answered ${res.status}: ${JSON.stringify(json)}`)
      return json
    }
    const wait = Number(res.headers.get('retry-after') ?? 1)
    log(`    ${path}: rate limited, retrying in ${wait} s`)
    await sleep(wait * 1000)
  }
}

/** One user for these scenarios (registering spends the address's auth budget). */
let session = null
async function user() {
  if (!session) {
    const email = `e2e-insight-${runId}@example.com`
    await authPatiently('/api/auth/register', { email, password: PASSWORD })
    session = { email, token: (await authPatiently('/api/auth/login', { email, password: PASSWORD })).access_token }
  }
  return session.token
}

async function price(token) {
  const { body } = await api('GET', `/api/market/price/${SYMBOL}`, { token })
  assert(body && Number(body.price) > 0, `no price in ${JSON.stringify(body)}`)
  return body.price
}

/** A grid ±`range` around `p` on BTCUSDT's 0.01 tick. */
function gridAround(p, range = 0.01, levels = 20) {
  const c = Math.round(Number(p) * 100)
  const at = (f) => (Math.round(c * f) / 100).toFixed(2)
  return {
    capital: '1000',
    lower_bound: at(1 - range),
    upper_bound: at(1 + range),
    grid_levels: levels,
    spacing: 'arithmetic',
    stop_loss_pct: null,
    take_profit_pct: null,
    max_daily_loss: null,
  }
}

/** A paper grid bot around the price, started while the market is paused (so it starts inside its range). */
async function startedBot(token, range = 0.01) {
  await simPause()
  try {
    const config = gridAround(await price(token), range)
    const { body } = await api('POST', '/api/bots', { token, body: { strategy: 'grid', pair: PAIR, mode: 'paper', config } })
    await api('POST', `/api/bots/${body.id}/start`, { token, body: {}, expect: [202] })
    await eventually('the bot runs', async () => (await api('GET', `/api/bots/${body.id}`, { token })).body.status === 'running', {
      timeout: 30000,
    })
    return body.id
  } finally {
    await simResume()
  }
}

async function openWithToken(page, token, path) {
  await page.goto('/login')
  await page.evaluate((t) => sessionStorage.setItem('gridbot.token', t), token)
  await page.goto(path)
}

const scrollTo = (page, testid) =>
  page.locator(tid(testid)).first().evaluate((el) => {
    el.scrollIntoView({ block: 'start' })
    window.scrollBy(0, -((document.querySelector('header')?.getBoundingClientRect().bottom ?? 0) + 8))
  })

const overflowsSideways = (page) => page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1)

const lineOf = (page, key) => page.locator(`${tid('health-line')}[data-key="${key}"]`)

scenario('exchange health: why no orders — clock, weight, the stream, each bot', async (s) => {
  const { page } = s
  let token
  let botId
  s.cleanup(simResume)
  s.cleanup(async () => {
    if (botId) await api('POST', `/api/bots/${botId}/stop`, { token, expect: [202, 409] }).catch(() => {})
  })

  await s.step('a running paper bot; the header links to the health page', async () => {
    token = await user()
    botId = await startedBot(token)
    await openWithToken(page, token, '/')
    await page.click(tid('health-link'))
    await page.waitForURL((u) => u.pathname === '/health')
    await page.locator(tid('health-headline')).waitFor()
  })

  await s.step('plain lines: the simulator answers, the clock, the weight, the stream, the bot', async () => {
    const reach = (await lineOf(page, 'reach').textContent()) ?? ''
    assert(/^The simulator answers/.test(reach.trim()), `reach line: ${reach}`)
    const clock = ((await lineOf(page, 'clock').textContent()) ?? '').trim()
    assert(/^Clock (in step with|\d+(\.\d)? m?s (behind|ahead of)) the simulator$/.test(clock), `clock line: ${clock}`)
    const weight = ((await lineOf(page, 'weight').textContent()) ?? '').trim()
    assert(/^Weight \d+ \/ \d+ this minute$/.test(weight), `weight line: ${weight}`)
    // the scheduler saves its mark every few seconds while trades flow; the page refreshes every 15 s
    await eventually(
      'the stream line has a last trade',
      async () => {
        await page.click(tid('health-refresh'))
        const t = ((await lineOf(page, `stream-${SYMBOL}`).textContent()) ?? '').trim()
        s.note(`stream line: ${t}`)
        return /^BTCUSDT stream: last trade \d+ s ago/.test(t)
      },
      { timeout: 40000, interval: 2000 },
    )
    assertEqual(await lineOf(page, `stream-${SYMBOL}`).getAttribute('data-level'), 'ok', 'the stream is fresh')
    const bot = ((await lineOf(page, `bot-${botId}`).textContent()) ?? '').trim()
    assertEqual(bot, `bot #${botId} ${PAIR}: running, no exchange error`, 'the bot line')
    await s.screenshot('exchange-health', { fullPage: false })
    await page.setViewportSize({ width: 390, height: 844 })
    await s.screenshot('exchange-health-mobile', { fullPage: false })
    assert(!(await overflowsSideways(page)), 'the health page scrolls sideways at 390 px')
    await page.setViewportSize({ width: 1280, height: 900 })
    assertEqual(s.pageErrors.length, 0, `page errors: ${s.pageErrors.join(' | ')}`)
  })
})


scenario('backtest chart: Test Config and an AI suggestion draw price, simulated fills and equity', async (s) => {
  const { page } = s
  let token
  s.cleanup(simResume)

  await s.step('a grid ±1 % around the price in the new-bot form; Test Config draws its backtest', async () => {
    token = await user()
    await openWithToken(page, token, '/bots/new')
    await page.locator(tid('input-capital')).waitFor()
    await eventually('the pair list', async () => (await page.locator(`${tid('input-pair')} option`).count()) > 0)
    await page.selectOption(tid('input-pair'), PAIR)
    const grid = gridAround(await price(token))
    await page.fill(tid('input-capital'), grid.capital)
    await page.fill(tid('input-lower_bound'), grid.lower_bound)
    await page.fill(tid('input-upper_bound'), grid.upper_bound)
    await page.fill(tid('input-grid_levels'), String(grid.grid_levels))
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/bots/test-config'), { timeout: 30000 })
    await page.click(tid('config-test'))
    const res = await answered
    assertEqual(res.status(), 200, 'POST /api/bots/test-config')
    const bt = (await res.json()).backtest
    assert(bt && bt.chart, `no backtest chart: ${JSON.stringify(bt)?.slice(0, 300)}`)
    const chart = page.locator(`${tid('test-config-result')} ${tid('backtest-chart')}`)
    await chart.waitFor()
    assertEqual(Number(await chart.getAttribute('data-candles')), bt.chart.candles.length, 'candles drawn')
    assertEqual(Number(await chart.getAttribute('data-equity')), bt.chart.candles.length, 'an equity point per candle')
    assertEqual(await chart.getAttribute('data-fills-total'), String(bt.chart.fills_total), 'fills')
    const grids = bt.chart.fills.filter((f) => f.kind === 'grid').length
    if (bt.chart.fills_omitted === 0) assertEqual(grids, bt.orders_filled, 'a marker per grid fill')
    assertEqual(bt.chart.equity.at(-1).equity, bt.final_equity, "the curve ends at the backtest's final equity")
    const final = ((await page.locator(tid('backtest-chart-final')).textContent()) ?? '').trim()
    assert(/^[\d,]+\.\d\d USDT$/.test(final), `final equity shown: ${final}`)
    s.note(`test-config chart: ${bt.chart.candles.length} candles, ${bt.chart.fills_total} fills, equity ${bt.final_equity}`)
    await scrollTo(page, 'test-backtest')
    await s.screenshot('test-config-chart', { fullPage: false })
    await page.setViewportSize({ width: 390, height: 844 })
    await scrollTo(page, 'test-backtest')
    await s.screenshot('test-config-chart-mobile', { fullPage: false })
    assert(!(await overflowsSideways(page)), 'the form scrolls sideways at 390 px')
    await page.setViewportSize({ width: 1280, height: 900 })
  })

  await s.step('AI Optimize: the suggestion comes with its 7-day backtest drawn beside it', async () => {
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/ai/optimize'), { timeout: 60000 })
    await page.click(tid('config-ai-optimize'))
    const res = await answered
    const body = await res.json()
    assertEqual(res.status(), 201, `POST /api/ai/optimize: ${JSON.stringify(body).slice(0, 300)}`)
    assert(body.chart, 'the suggestion has no chart')
    const chart = page.locator(`${tid('ai-chart')} ${tid('backtest-chart')}`)
    await chart.waitFor({ timeout: 15000 })
    assertEqual(Number(await chart.getAttribute('data-candles')), body.chart.candles.length, 'candles drawn')
    assert(body.chart.candles.length > 0 && body.chart.candles.length <= 2000, `${body.chart.candles.length} candles`)
    await scrollTo(page, 'ai-suggestion')
    await s.screenshot('ai-suggestion-chart', { fullPage: false })
    assertEqual(s.pageErrors.length, 0, `page errors: ${s.pageErrors.join(' | ')}`)
  })
})

scenario('daily P&L: per bot under its equity curve, each run apart, and for the account', async (s) => {
  const { page } = s
  let token
  let botId
  s.cleanup(simResume)
  s.cleanup(async () => {
    if (botId) await api('POST', `/api/bots/${botId}/stop`, { token, expect: [202, 409] }).catch(() => {})
  })
  const days = (sel) => page.locator(sel).getAttribute('data-days').then(Number)

  await s.step("a running bot's page: its equity and its P&L per day", async () => {
    token = await user()
    botId = await startedBot(token, 0.005)
    await openWithToken(page, token, `/bots/${botId}`)
    await page.locator(tid('run-charts')).waitFor()
    await eventually(
      'a day of P&L',
      async () => {
        const { body } = await api('GET', `/api/bots/${botId}/daily-pnl`, { token })
        return body.days.length > 0
      },
      { timeout: 40000, interval: 1000 },
    )
    // the page reads again every minute and on each fill: reload rather than wait
    await page.reload()
    await eventually('the bars', async () => (await days(`${tid('run-charts')} ${tid('daily-pnl')}`)) > 0, { timeout: 20000 })
    const { body } = await api('GET', `/api/bots/${botId}/daily-pnl`, { token })
    const shown = ((await page.locator(`${tid('run-charts')} ${tid('daily-pnl-total')}`).textContent()) ?? '').trim()
    s.note(`daily P&L: ${JSON.stringify(body)} shown ${shown}`)
    assert(shown.endsWith('USDT'), `total shown: ${shown}`)
    await scrollTo(page, 'run-charts')
    await s.screenshot('bot-daily-pnl', { fullPage: false })
  })

  await s.step('stopped and started again: two runs, the earlier one shown apart', async () => {
    await api('POST', `/api/bots/${botId}/stop`, { token, body: {}, expect: [202] })
    await eventually('stopped', async () => (await api('GET', `/api/bots/${botId}`, { token })).body.status === 'stopped', {
      timeout: 30000,
    })
    await simPause()
    try {
      // around the price now (the market moved since the first start)
      const config = gridAround(await price(token), 0.005)
      await api('PUT', `/api/bots/${botId}`, { token, body: { config } })
      await api('POST', `/api/bots/${botId}/start`, { token, body: {}, expect: [202] })
      await eventually(
        'running again',
        async () => {
          const { body } = await api('GET', `/api/bots/${botId}`, { token })
          if (body.status === 'error') throw new Abort(`the bot failed: ${body.stop_reason}`)
          return body.status === 'running'
        },
        { timeout: 30000 },
      )
    } finally {
      await simResume()
    }
    const { body: runs } = await api('GET', `/api/bots/${botId}/runs`, { token })
    assert(runs.length >= 2, `runs: ${runs.length}`)
    const earlier = runs.find((r) => !r.current)
    await page.reload()
    await page.locator(tid('run-select')).waitFor({ timeout: 20000 })
    const reads = page.waitForResponse((r) => r.url().includes(`/daily-pnl?run=${earlier.generation}`), { timeout: 15000 })
    await page.selectOption(tid('run-select'), { label: `run ${earlier.generation} · ${PAIR}` })
    const res = await reads
    assertEqual(res.status(), 200, 'the earlier run read')
    assertEqual((await res.json()).generation, earlier.generation, 'its own days')
    await eventually('the earlier run shown', async () =>
      (await page.locator(tid('run-charts')).getAttribute('data-run')) === String(earlier.generation))
    await scrollTo(page, 'run-charts')
    await s.screenshot('bot-daily-pnl-earlier-run', { fullPage: false })
  })

  await s.step("the dashboard: the account's P&L per day over every bot and run, with its running total", async () => {
    await page.goto('/')
    const panel = page.locator(tid('account-daily-pnl'))
    await panel.waitFor()
    await eventually('both runs added up', async () => Number(await panel.getAttribute('data-runs')) >= 2, { timeout: 20000 })
    await eventually('its days', async () => (await days(`${tid('account-daily-pnl')} ${tid('daily-pnl')}`)) > 0)
    await scrollTo(page, 'account-daily-pnl')
    await s.screenshot('account-daily-pnl', { fullPage: false })
    await page.setViewportSize({ width: 390, height: 844 })
    await scrollTo(page, 'account-daily-pnl')
    await s.screenshot('account-daily-pnl-mobile', { fullPage: false })
    assert(!(await overflowsSideways(page)), 'the dashboard scrolls sideways at 390 px')
    await page.setViewportSize({ width: 1280, height: 900 })
    assertEqual(s.pageErrors.length, 0, `page errors: ${s.pageErrors.join(' | ')}`)
  })
})
