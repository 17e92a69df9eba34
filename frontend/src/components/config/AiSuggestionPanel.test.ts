import { describe, expect, it } from 'vitest'
import { backtestChart } from '@/test/fixtures'
import { render, stripTags } from '@/test/render'
import type { BacktestEntry, Suggestion } from '@/types/api'
import AiSuggestionPanel from './AiSuggestionPanel.vue'

const grid = (over: Partial<BacktestEntry> = {}): BacktestEntry => ({
  lower: '95000', upper: '105000', levels: 20, realized_pnl: '30.3', final_equity: '10303',
  return_pct: '0.0303', max_drawdown: '0.02', round_trips: 12, win_rate: '1', ...over,
})
// holding, as ai/src/figures.rs reports it: no range, nothing realized, its outcome in return and final equity
const hold: BacktestEntry = { lower: null, upper: null, levels: null, realized_pnl: '0', final_equity: '10394',
  return_pct: '0.0394', max_drawdown: '0.05', round_trips: 0, win_rate: null }

const suggestion = (): Suggestion => ({
  id: 3, bot_id: 1, pair: 'BTC/USDT', status: 'pending', source: 'heuristic', fallback_reason: null,
  suggestion: { grid_lower: '95000', grid_upper: '105000', num_levels: 20, confidence: 78, reasoning: 'r', risk_level: 'medium' },
  backtests: [{ window: '7d', candles: 4320, suggested: grid(), current: null, sweep_best: grid({ return_pct: '-0.005', realized_pnl: '-5' }), hold }],
  created_at: '2026-11-23T10:00:00Z',
})

describe('AiSuggestionPanel', () => {
  it("shows return_pct, a fraction, as a percent (0.0303 → 3.03%), and holding's realized P&L as none", async () => {
    const r = await render(AiSuggestionPanel, { suggestion: suggestion() })
    const rows = r.all('ai-bt-row')
    expect(rows).toHaveLength(3)
    const [suggested, best, holding] = rows.map(stripTags)
    expect(suggested).toContain('3.03%')
    expect(suggested).toContain('+30.30 USDT')
    expect(suggested).toContain('10,303.00 USDT')
    expect(best).toContain('-0.50%')
    expect(holding).toContain('Buy & hold')
    expect(holding).toContain('3.94%')
    expect(holding).toContain('10,394.00 USDT')
    expect(holding).not.toContain('+0.00 USDT')
    expect(holding).toContain('—')
    // a 7d window with 3 days of history says so
    expect(suggested).toContain('3 d of candles')
  })

  it('a contender the window could not run shows no figures, and its reason on hover', async () => {
    const s = suggestion()
    s.backtests[0]!.sweep_best = { ...grid(), realized_pnl: null, final_equity: null, return_pct: null, max_drawdown: null, round_trips: null, win_rate: null, error: 'too few candles' }
    const r = await render(AiSuggestionPanel, { suggestion: s })
    const row = r.all('ai-bt-row')[1]!
    expect(row).toContain('title="too few candles"')
    expect(stripTags(row)).not.toMatch(/NaN|undefined|null/)
  })

  it("beside the suggestion, its 7-day backtest's chart; none when the answer has none (a list's)", async () => {
    const r = await render(AiSuggestionPanel, { suggestion: { ...suggestion(), chart: backtestChart() } })
    expect(r.text('ai-chart')).toContain('The suggested grid over the 7-day window')
    expect(r.attr('backtest-chart', 'data-equity')).toBe('3')
    const none = await render(AiSuggestionPanel, { suggestion: { ...suggestion(), chart: null } })
    expect(none.all('ai-chart')).toEqual([])
  })
})
