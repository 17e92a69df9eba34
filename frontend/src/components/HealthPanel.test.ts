import { describe, expect, it } from 'vitest'
import { healthFixture } from '@/test/fixtures'
import { render } from '@/test/render'
import HealthPanel from './HealthPanel.vue'

describe('HealthPanel', () => {
  it('answers "why no orders?" line by line, a bot\'s exchange error in red', async () => {
    const h = healthFixture({
      bots: [
        {
          bot_id: 3,
          pair: 'BTC/USDT',
          mode: 'live',
          status: 'running',
          reason: null,
          last_error: { code: -2010, message: 'insufficient balance', at: '2026-12-10T11:55:00Z', age_ms: 300_000 },
        },
      ],
    })
    const r = await render(HealthPanel, { health: h })
    expect(r.attr('health-panel', 'data-level')).toBe('bad')
    const lines = r.all('health-line')
    expect(lines).toHaveLength(5)
    const text = r.text('health-panel')
    for (const want of [
      'Binance answers in 35 ms',
      'Clock 12 ms behind Binance',
      'Weight 84 / 6000 this minute',
      'BTCUSDT stream: last trade 2 s ago (68,012.50)',
      'bot #3 BTC/USDT: -2010 insufficient balance 5 min ago',
    ]) {
      expect(text).toContain(want)
    }
    expect(lines[4]).toContain('data-level="bad"')
    expect(r.text('health-headline')).toContain('Something stops orders')
  })
  it('all well, and before the first answer', async () => {
    const ok = await render(HealthPanel, { health: healthFixture() })
    expect(ok.attr('health-panel', 'data-level')).toBe('ok')
    expect(ok.text('health-panel')).toContain('None: no bot yet.')
    const waiting = await render(HealthPanel, { health: null, error: 'Network error' })
    expect(waiting.attr('health-panel', 'data-level')).toBe('unknown')
    expect(waiting.text('health-error')).toBe('Network error')
  })
})
