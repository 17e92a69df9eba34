// The notifications scenario: the settings page reached from the header configures a webhook pointing at a local
// receiver (this process) and a Telegram chat at a local stand-in for the Bot API (`E2E_TELEGRAM_URL`, which
// scripts/e2e.sh also gives the server as TELEGRAM_API_URL); the signing secret is shown once; Send test shows each
// channel's result, a wrong chat id Telegram's own refusal; the webhook's signature checks out with that secret; and
// a paper bot's fill and stop reach the webhook. Registered by dashboard.e2e.mjs, which passes its helpers.

import crypto from 'node:crypto'
import http from 'node:http'
import { api, assert, assertEqual, eventually, scenario, tid } from './lib/harness.mjs'

/** The chat id the Telegram stand-in accepts; any other is "chat not found", as Telegram answers. */
const CHAT = '424242'
const BOT_TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw'

/**
 * An HTTP server on 127.0.0.1 (`port`, or any free one) that records each request and answers `answer(request)`:
 * `[status, json]`.
 */
function receiver(answer, port = 0) {
  const got = []
  const server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const r = { path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }
      got.push(r)
      const [status, json] = answer(r)
      res.writeHead(status, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify(json))
    })
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${server.address().port}`, got, close: () => server.close() }),
    )
  })
}

/** X-Gridbot-Signature checked as a receiver would: HMAC-SHA256 of `timestamp.body` keyed by the secret. */
function signedBy(secret, r) {
  const ts = r.headers['x-gridbot-timestamp']
  const want = `sha256=${crypto.createHmac('sha256', secret).update(`${ts}.${r.body}`).digest('hex')}`
  const got = String(r.headers['x-gridbot-signature'] ?? '')
  return got.length === want.length && crypto.timingSafeEqual(Buffer.from(got), Buffer.from(want))
}

const events = (hook, event) => hook.got.map((r) => JSON.parse(r.body)).filter((b) => b.event === event)

/**
 * @param {{ apiAuth: Function, newEmail: Function, password: string, price: Function, gridAround: Function,
 *   openOrders: Function, simPause: Function, simResume: Function, simPrice: Function }} h the suite's helpers
 */
export function notificationsScenario(h) {
  scenario('notifications: a webhook and Telegram from the header, secret shown once, Send test per channel, a fill', async (s) => {
    const { page } = s
    const telegramUrl = new URL(process.env.E2E_TELEGRAM_URL ?? 'http://127.0.0.1:0')
    const hook = await receiver(() => [200, { received: true }])
    const telegram = await receiver(
      (r) => {
        const chat = String(JSON.parse(r.body || '{}').chat_id ?? '')
        return chat === CHAT
          ? [200, { ok: true, result: { message_id: 1 } }]
          : [400, { ok: false, error_code: 400, description: 'Bad Request: chat not found' }]
      },
      Number(telegramUrl.port),
    )
    const withTelegram = Boolean(process.env.E2E_TELEGRAM_URL)
    s.cleanup(() => hook.close())
    s.cleanup(() => telegram.close())
    let token
    let botId
    let secret
    s.cleanup(h.simResume)
    s.cleanup(async () => {
      if (botId && token) await api('POST', `/api/bots/${botId}/stop`, { token, expect: [202, 409] }).catch(() => {})
    })

    await s.step('the header leads to the notifications page', async () => {
      const email = h.newEmail('notify')
      await h.apiAuth('/api/auth/register', { email, password: h.password })
      token = (await h.apiAuth('/api/auth/login', { email, password: h.password })).access_token
      await page.goto('/login')
      await page.evaluate((t) => sessionStorage.setItem('gridbot.token', t), token)
      await page.goto('/')
      await page.click(tid('nav-notifications'))
      await page.waitForURL((u) => u.pathname === '/notifications')
      await page.locator(tid('notifications-form')).waitFor()
      assertEqual(await page.locator(tid('telegram-token-status')).getAttribute('data-set'), 'false', 'no token yet')
    })

    await s.step('a webhook and a Telegram chat are saved; the signing secret is shown once, the token never', async () => {
      await page.fill(tid('input-webhook_url'), `${hook.url}/gridbot`)
      // Without a stand-in for the Bot API the server would call Telegram itself: Telegram is left out then.
      if (withTelegram) {
        await page.fill(tid('input-telegram_token'), BOT_TOKEN)
        await page.fill(tid('input-telegram_chat_id'), CHAT)
      }
      await page.uncheck(tid('input-notify_daily_summary'))
      await page.click(tid('notifications-save'))
      await page.locator(tid('notifications-saved')).waitFor()
      secret = await page.inputValue(tid('webhook-secret-value'))
      assert(/^whsec_[0-9a-f]{64}$/.test(secret), `the secret shown: ${secret}`)
      const tokenSet = await page.locator(tid('telegram-token-status')).getAttribute('data-set')
      assertEqual(tokenSet, String(withTelegram), 'the token is said to be set, never shown')
      assertEqual(await page.inputValue(tid('input-telegram_token')), '', 'the token field is empty again')
      const { body } = await api('GET', '/api/notifications', { token })
      assertEqual(JSON.stringify([body.webhook_url, body.telegram_chat_id, body.notify_daily_summary, body.webhook_secret_set]),
        JSON.stringify([`${hook.url}/gridbot`, withTelegram ? CHAT : null, false, true]), 'the stored settings')
      const text = JSON.stringify(body)
      assert(!text.includes(secret) && !text.includes(BOT_TOKEN), `GET /api/notifications shows a secret: ${text}`)
    })

    await s.step('Send test: each channel delivered; the webhook is signed with the secret shown', async () => {
      await page.click(tid('notifications-test'))
      await page.locator(tid('test-result')).first().waitFor()
      const webhookResult = page.locator(`${tid('test-result')}[data-channel="webhook"]`)
      assertEqual(await webhookResult.getAttribute('data-delivered'), 'true', 'webhook delivered')
      assert((await webhookResult.textContent()).includes('delivered'), 'the page says delivered')
      if (withTelegram) {
        const tg = page.locator(`${tid('test-result')}[data-channel="telegram"]`)
        assertEqual(await tg.getAttribute('data-delivered'), 'true', 'telegram delivered')
        const sent = telegram.got.at(-1)
        assertEqual(sent.path, `/bot${BOT_TOKEN}/sendMessage`, 'the Bot API path')
        assertEqual(JSON.parse(sent.body).chat_id, Number(CHAT), 'the chat id')
      }
      const test = hook.got.at(-1)
      assertEqual(JSON.parse(test.body).event, 'test', 'the webhook body')
      assert(signedBy(secret, test), `the signature ${test.headers['x-gridbot-signature']} does not check out`)
      await page.evaluate(() => window.scrollTo(0, 0))
      await s.screenshot('notifications', { fullPage: true })
    })

    await s.step("a wrong chat id: Telegram's refusal beside a delivered webhook; the page fits a phone", async () => {
      if (!withTelegram) return
      await page.locator(tid('webhook-secret-dismiss')).click()
      await page.fill(tid('input-telegram_chat_id'), '999')
      assertEqual((await page.textContent(tid('notifications-test'))).trim(), 'Save and send test', 'the button saves first')
      await page.click(tid('notifications-test'))
      const tg = page.locator(`${tid('test-result')}[data-channel="telegram"]`)
      await eventually('the Telegram result', async () => (await tg.getAttribute('data-delivered')) === 'false')
      assert((await tg.textContent()).includes('Bad Request: chat not found'), `${await tg.textContent()}`)
      await page.setViewportSize({ width: 390, height: 844 })
      const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1)
      assert(!wide, 'the page scrolls sideways at 390 px')
      await page.evaluate(() => window.scrollTo(0, 0))
      await s.screenshot('notifications-mobile', { fullPage: true })
      await page.setViewportSize({ width: 1280, height: 900 })
      await page.fill(tid('input-telegram_chat_id'), CHAT)
      await page.click(tid('notifications-save'))
      await page.locator(tid('notifications-saved')).waitFor()
    })

    await s.step("a paper bot's fill and its stop reach the webhook, money as exact decimal strings", async () => {
      await h.simPause()
      const p = await h.price(token)
      const bot = { strategy: 'grid', pair: 'BTC/USDT', mode: 'paper', config: h.gridAround(p) }
      botId = (await api('POST', '/api/bots', { token, body: bot, expect: [201] })).body.id
      await api('POST', `/api/bots/${botId}/start`, { token, body: {}, expect: [202] })
      const buys = await eventually('the grid rests', async () => {
        const open = (await h.openOrders(token, botId)).filter((o) => o.side === 'buy')
        return open.length ? open : false
      }, { timeout: 30000 })
      const top = Math.max(...buys.map((o) => Number(o.price)))
      await h.simPrice((top - 1).toFixed(2))
      const fill = await eventually('a fill webhook of the bot', () =>
        events(hook, 'fill').find((b) => b.bot_id === botId && b.side === 'buy' && b.price === buys.find((o) => Number(o.price) === top)?.price),
        { timeout: 30000 })
      for (const k of ['price', 'qty', 'fee']) assert(typeof fill[k] === 'string', `${k} is a decimal string: ${JSON.stringify(fill)}`)
      assert(signedBy(secret, hook.got.find((r) => JSON.parse(r.body).id === fill.id)), 'the fill is signed')
      await api('POST', `/api/bots/${botId}/stop`, { token, body: { sell: false }, expect: [202] })
      const stop = await eventually('the stop webhook', () => events(hook, 'stop').find((b) => b.bot_id === botId), { timeout: 30000 })
      assertEqual(stop.reason, 'user', 'the stop reason')
      const ids = events(hook, 'fill').map((b) => b.id)
      assertEqual(new Set(ids).size, ids.length, 'each fill once')
      botId = undefined
    })
  })
}
