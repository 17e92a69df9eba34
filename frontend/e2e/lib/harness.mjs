// A tiny end-to-end runner on playwright-core and Debian's Chromium (no browser download, no @playwright/test).
//
// Scenarios run one after another, each in a fresh browser context (its own sessionStorage). Inside a scenario,
// steps run in order and the first failing step ends the scenario: the rest are reported as not run. Another
// scenario still runs. On a failure the page is saved as artifacts/FAIL-<scenario>.png.
//
// Besides its own assertions, a scenario fails when the page throws an uncaught error, or when an /api call
// answers 404/405/501 for a route that has no id in it: that is a missing endpoint, named as an API gap.

import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { chromium } from 'playwright-core'

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

export const config = {
  baseUrl: (process.env.E2E_BASE_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, ''),
  /** the simulator's REST/control URL (`gridbot serve --offline` logs it); empty = no market control */
  simUrl: (process.env.E2E_SIM_URL ?? '').replace(/\/$/, ''),
  artifacts: process.env.E2E_ARTIFACTS ?? path.resolve(import.meta.dirname, '..', 'artifacts'),
  chromium: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
  /** only these scenarios (comma-separated substrings of their names) */
  only: (process.env.E2E_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean),
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
export { sleep }

const t0 = Date.now()
const clock = () => `${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s`
export function log(...args) {
  console.log(clock(), ...args)
}

/** Thrown inside an `eventually` check: stop polling and fail now (e.g. the bot went to `error`). */
export class Abort extends Error {}

/**
 * Polls `fn` until it returns a truthy value (returned) or the time is up (throws, with the last value or error).
 * @template T
 * @param {string} what
 * @param {() => Promise<T> | T} fn
 * @param {{ timeout?: number, interval?: number }} [opts]
 * @returns {Promise<T>}
 */
export async function eventually(what, fn, { timeout = 15000, interval = 250 } = {}) {
  const end = Date.now() + timeout
  let last
  for (;;) {
    try {
      const v = await fn()
      if (v) return v
      last = v
    } catch (e) {
      if (e instanceof Abort) throw e
      last = e instanceof Error ? e.message.split('\n')[0] : e
    }
    if (Date.now() > end) {
      throw new Error(`${what}: not true after ${timeout / 1000} s (last: ${JSON.stringify(last)})`)
    }
    await sleep(interval)
  }
}

export function assert(cond, message) {
  if (!cond) throw new Error(message)
}

export function assertEqual(actual, expected, what) {
  if (actual !== expected) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
  }
}

/** A JSON call to the server from the test itself (not the browser); throws on an unexpected status. */
export async function api(method, urlPath, { token, body, base = config.baseUrl, expect = [200, 201, 202, 204] } = {}) {
  const headers = { Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (token) headers.Authorization = `Bearer ${token}`
  const res = await fetch(`${base}${urlPath}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  let json
  try {
    json = text ? JSON.parse(text) : null
  } catch {
    json = text
  }
  if (!expect.includes(res.status)) {
    const gap = res.status === 404 || res.status === 405 || res.status === 501 ? ' (API gap: route missing?)' : ''
    throw new Error(`${method} ${urlPath} answered ${res.status}${gap}: ${text.slice(0, 300)}`)
  }
  return { status: res.status, body: json }
}

/** The simulator's control API (POST /sim/pause, /sim/resume, /sim/price …). */
export async function sim(method, urlPath, body) {
  if (!config.simUrl) throw new Error('E2E_SIM_URL is not set: the simulator cannot be driven')
  return (await api(method, urlPath, { base: config.simUrl, body })).body
}

/** Test ids as selectors: tid('bot-card') → [data-testid="bot-card"]. */
export const tid = (id) => `[data-testid="${id}"]`

class StepFailure extends Error {}

/** What a scenario receives: its page and helpers. */
class Scenario {
  constructor(name, context, page) {
    this.name = name
    this.context = context
    this.page = page
    /** @type {{ name: string, ok: boolean | null, ms: number, error?: string }[]} */
    this.steps = []
    this.cleanups = []
    this.pageErrors = []
    this.apiGaps = new Set()
    this.journal = []
  }

  async step(name, fn) {
    const start = Date.now()
    log(`  · ${name}`)
    try {
      const out = await fn()
      this.steps.push({ name, ok: true, ms: Date.now() - start })
      return out
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e)
      this.steps.push({ name, ok: false, ms: Date.now() - start, error: msg })
      throw new StepFailure(`${name}: ${msg}`, { cause: e })
    }
  }

  /** Runs after the scenario, failed or not (e.g. resume the simulator). */
  cleanup(fn) {
    this.cleanups.push(fn)
  }

  async screenshot(name, opts = {}) {
    const file = path.join(config.artifacts, `${name}.png`)
    await this.page.screenshot({ path: file, fullPage: true, ...opts })
    log(`    screenshot ${path.relative(process.cwd(), file)}`)
    return file
  }

  /** The session's JWT, as the dashboard stored it. */
  token() {
    return this.page.evaluate(() => sessionStorage.getItem('gridbot.token'))
  }

  note(line) {
    this.journal.push(`${new Date().toISOString()} ${line}`)
  }
}

const scenarios = []

/** Registers a scenario: `fn(s)` gets a Scenario with `page`, `step`, `screenshot`, `token`, `cleanup`. */
export function scenario(name, fn) {
  scenarios.push({ name, fn })
}

/** Paths with a numeric segment can 404 for a legitimate reason (not yours, deleted); others mean a missing route. */
const looksLikeMissingRoute = (status, pathname) =>
  (status === 404 || status === 405 || status === 501) && pathname.startsWith('/api/') && !/\/\d+(\/|$)/.test(pathname)

export async function run() {
  await mkdir(config.artifacts, { recursive: true })
  log(`e2e against ${config.baseUrl}${config.simUrl ? ` (simulator ${config.simUrl})` : ''}`)
  const browser = await chromium.launch({ executablePath: config.chromium, args: CHROMIUM_ARGS })
  log(`chromium ${browser.version()}`)
  const results = []
  try {
    for (const { name, fn } of scenarios) {
      if (config.only.length && !config.only.some((o) => name.includes(o))) continue
      log(`▶ ${name}`)
      const context = await browser.newContext({ baseURL: config.baseUrl, viewport: { width: 1280, height: 900 } })
      const page = await context.newPage()
      page.setDefaultTimeout(15000)
      const s = new Scenario(name, context, page)
      page.on('pageerror', (e) => {
        s.pageErrors.push(e.message)
        s.note(`pageerror ${e.message}`)
      })
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') s.note(`console.${m.type()} ${m.text()}`)
      })
      page.on('response', (r) => {
        const u = new URL(r.url())
        if (r.status() >= 400 && u.pathname.startsWith('/api/')) {
          s.note(`${r.request().method()} ${u.pathname}${u.search} → ${r.status()}`)
        }
        if (looksLikeMissingRoute(r.status(), u.pathname)) s.apiGaps.add(`${r.request().method()} ${u.pathname}`)
      })
      page.on('websocket', (ws) => {
        const u = new URL(ws.url())
        s.note(`ws open ${u.pathname}`)
        ws.on('close', () => s.note(`ws closed ${u.pathname}`))
      })

      const start = Date.now()
      let error = null
      try {
        await fn(s)
        if (s.apiGaps.size) throw new Error(`API gaps (routes answering 404/405/501): ${[...s.apiGaps].join(', ')}`)
        if (s.pageErrors.length) throw new Error(`uncaught errors in the page: ${s.pageErrors.join(' | ')}`)
      } catch (e) {
        error = e instanceof Error ? e.message : String(e)
        if (!(e instanceof StepFailure) && e instanceof Error && e.stack) s.note(e.stack)
        await s.screenshot(`FAIL-${slug(name)}`).catch(() => {})
      }
      for (const c of s.cleanups.reverse()) {
        await Promise.resolve()
          .then(c)
          .catch((e) => log(`    cleanup failed: ${e instanceof Error ? e.message : e}`))
      }
      await writeFile(path.join(config.artifacts, `${slug(name)}.log`), s.journal.join('\n') + '\n')
      await context.close()
      const ms = Date.now() - start
      results.push({ name, error, ms, steps: s.steps })
      log(error ? `✗ ${name} (${(ms / 1000).toFixed(1)} s)\n      ${error}` : `✓ ${name} (${(ms / 1000).toFixed(1)} s)`)
    }
  } finally {
    await browser.close()
  }

  console.log('\n== e2e summary')
  for (const r of results) {
    console.log(`${r.error ? 'FAIL' : 'ok  '} ${r.name} — ${r.steps.filter((x) => x.ok).length}/${r.steps.length} steps, ${(r.ms / 1000).toFixed(1)} s`)
    if (r.error) console.log(`     ${r.error}`)
  }
  const failed = results.filter((r) => r.error).length
  console.log(`${results.length - failed} passed, ${failed} failed, ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  if (results.length === 0) {
    console.log('no scenario ran (E2E_ONLY matched nothing?)')
    return 1
  }
  return failed ? 1 : 0
}

function slug(s) {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')
}
