// GET /api/strategies as the contract serves it: the grid and mean reversion, with their config schemas.

import type { Strategy } from '@/types/strategy'

const decimal = { type: 'string', format: 'decimal' } as const
const optionalDecimal = { type: ['string', 'null'], format: 'decimal' } as const

export function gridStrategy(): Strategy {
  return {
    name: 'grid',
    title: 'Grid',
    description: 'Buy and sell orders on a ladder of prices between two bounds.',
    bots: true,
    ai: true,
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['capital', 'lower_bound', 'upper_bound', 'grid_levels'],
      'x-order': ['capital', 'lower_bound', 'upper_bound', 'grid_levels', 'spacing', 'stop_loss_pct', 'take_profit_pct',
        'max_daily_loss', 'out_of_range', 'sell_on_stop', 'fee_rate', 'fee_asset'],
      properties: {
        capital: { ...decimal, title: 'Capital', description: 'Quote committed to the bot.', 'x-unit': 'quote', exclusiveMinimum: '0' },
        lower_bound: { ...decimal, title: 'Lower bound', description: 'The lowest level.', 'x-unit': 'price', exclusiveMinimum: '0' },
        upper_bound: { ...decimal, title: 'Upper bound', description: 'The highest level.', 'x-unit': 'price', exclusiveMinimum: '0' },
        grid_levels: { type: 'integer', title: 'Grid levels', minimum: 2, maximum: 200, description: 'Prices in the ladder, both bounds included.' },
        spacing: { type: 'string', enum: ['arithmetic', 'geometric'], default: 'arithmetic', title: 'Spacing' },
        stop_loss_pct: { ...optionalDecimal, title: 'Stop loss', 'x-unit': 'percent', description: 'Percent below the lower bound where the bot sells and stops.' },
        take_profit_pct: { ...optionalDecimal, title: 'Take profit', 'x-unit': 'percent', description: 'Percent above the upper bound where the bot sells and stops.' },
        max_daily_loss: { ...optionalDecimal, title: 'Max daily loss', 'x-unit': 'quote', description: 'Stop for the day past this loss.' },
        out_of_range: { type: 'string', enum: ['hold', 'trail', 'stop'], default: 'hold', title: 'Out of range', description: 'What the bot does when the price leaves the range.' },
        sell_on_stop: { type: 'boolean', default: false, title: 'Sell on stop' },
        fee_rate: { ...optionalDecimal, title: 'Fee rate', 'x-unit': 'rate', minimum: '0', exclusiveMaximum: '0.1', description: 'The fee per fill.' },
        fee_asset: { type: 'string', enum: ['base', 'quote'], default: 'base', title: 'Fee asset', description: 'What pays the fees.' },
      },
    },
  }
}

export function meanReversionStrategy(): Strategy {
  return {
    name: 'mean_reversion',
    title: 'Mean reversion',
    description: 'Buys a close far below its moving average, sells at the average.',
    bots: true,
    ai: false,
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['capital'],
      'x-order': ['capital', 'window', 'band', 'stop_loss_pct', 'fee_rate', 'fee_asset'],
      properties: {
        capital: { ...decimal, title: 'Capital', 'x-unit': 'quote', description: 'Quote committed to the bot.' },
        window: { type: 'integer', minimum: 2, maximum: 500, default: 20, title: 'Window', 'x-unit': 'candles', description: 'Candles (1 minute) in the moving average.' },
        band: { ...decimal, default: '2', title: 'Band', 'x-unit': 'sd', description: 'Standard deviations below the mean an entry needs (0 < band <= 10).' },
        stop_loss_pct: { ...optionalDecimal, title: 'Stop loss', 'x-unit': 'percent' },
        fee_rate: { ...decimal, default: '0.001', title: 'Fee rate', 'x-unit': 'rate' },
        fee_asset: { type: 'string', enum: ['base', 'quote'], default: 'base', title: 'Fee asset' },
      },
    },
  }
}

/** A strategy only backtests run (`bots: false`): the new-bot select leaves it out. */
export function backtestOnlyStrategy(): Strategy {
  return {
    name: 'buy_and_hold',
    title: 'Buy and hold',
    description: 'The benchmark.',
    bots: false,
    ai: false,
    schema: { type: 'object', properties: { capital: { ...decimal, title: 'Capital' } }, required: ['capital'] },
  }
}

export const strategies = (): Strategy[] => [gridStrategy(), meanReversionStrategy(), backtestOnlyStrategy()]
