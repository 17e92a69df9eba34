// GET /api/strategies as the server serves it (core/src/strategy/schema.rs): the grid and mean reversion, with their
// config schemas, and a strategy only backtests run.

import type { FieldSchema, Strategy } from '@/types/strategy'

const SCHEMA = 'https://json-schema.org/draft/2020-12/schema'
const decimal = (title: string, unit: string, description: string): FieldSchema =>
  ({ type: 'string', format: 'decimal', title, 'x-unit': unit, description })
const optionalDecimal = (title: string, unit: string, description: string): FieldSchema =>
  ({ type: ['string', 'null'], format: 'decimal', title, 'x-unit': unit, description })
const feeRate = (def?: string): FieldSchema => ({
  ...optionalDecimal('Fee rate', 'rate', "Commission per fill as a fraction of its value (0.001 is Binance's 0.1 %); empty: the venue's rate."),
  ...(def === undefined ? {} : { default: def }),
})
const feeAsset: FieldSchema = {
  type: 'string', enum: ['base', 'quote'], default: 'base', title: 'Fee asset',
  description: "What pays the fees: base (Binance's default without BNB: a buy pays in the coin it receives) or quote (fees paid in BNB, valued in quote).",
}

export function gridStrategy(): Strategy {
  return {
    name: 'grid',
    title: 'Grid',
    description: 'Buy and sell orders on a ladder of prices between two bounds.',
    bots: true,
    live: true,
    ai: true,
    schema: {
      $schema: SCHEMA,
      type: 'object',
      additionalProperties: false,
      required: ['capital', 'lower_bound', 'upper_bound', 'grid_levels'],
      'x-order': ['capital', 'lower_bound', 'upper_bound', 'grid_levels', 'spacing', 'stop_loss_pct', 'take_profit_pct',
        'max_daily_loss', 'out_of_range', 'sell_on_stop', 'fee_rate', 'fee_asset'],
      properties: {
        capital: { ...decimal('Capital', 'quote', 'Quote committed to the grid, spread over its levels.'), maximum: '1000000000', exclusiveMinimum: '0' },
        lower_bound: decimal('Lower bound', 'price', "The lowest level's price, below the current price."),
        upper_bound: decimal('Upper bound', 'price', "The highest level's price, above the current price."),
        grid_levels: { type: 'integer', minimum: 2, maximum: 200, title: 'Grid levels', description: 'Price levels from the lower bound to the upper bound, both included.' },
        spacing: { type: 'string', enum: ['arithmetic', 'geometric'], default: 'arithmetic', title: 'Spacing', description: 'Equal price steps (arithmetic) or equal ratios (geometric) between levels.' },
        stop_loss_pct: optionalDecimal('Stop loss', 'percent', 'Stop and sell everything when the price falls this percent below the lower bound; empty: none.'),
        take_profit_pct: optionalDecimal('Take profit', 'percent', 'Stop and sell everything when the price rises this percent above the upper bound; empty: none.'),
        max_daily_loss: optionalDecimal('Max daily loss', 'quote', "Stop when today's P&L (realized and unrealized, UTC day) falls to minus this much; empty: none."),
        out_of_range: { type: 'string', enum: ['hold', 'trail', 'stop'], default: 'hold', title: 'Out of range', description: 'When the price leaves the range: hold the orders, trail (sell the lots and restart the grid centred on the price), or stop.' },
        sell_on_stop: { type: 'boolean', default: false, title: 'Sell on stop', description: 'Sell the coins held when you stop the bot (stop loss and take profit always sell).' },
        fee_rate: { ...feeRate(), minimum: '0', exclusiveMaximum: '0.1' },
        fee_asset: feeAsset,
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
    live: true,
    ai: false,
    schema: {
      $schema: SCHEMA,
      type: 'object',
      additionalProperties: false,
      required: ['capital'],
      'x-order': ['capital', 'window', 'band', 'stop_loss_pct', 'fee_rate', 'fee_asset'],
      properties: {
        capital: { ...decimal('Capital', 'quote', 'Quote committed to the bot; each entry buys with all of it.'), maximum: '1000000000' },
        window: { type: 'integer', minimum: 2, maximum: 500, default: 20, title: 'Window', 'x-unit': 'candles', description: '1-minute candles in the moving average and its standard deviation.' },
        band: { ...decimal('Band', 'sd', 'Standard deviations below the moving average a close must fall to enter (above 0, at most 10).'), default: '2', maximum: '10' },
        stop_loss_pct: optionalDecimal('Stop loss', 'percent', 'Sell the position when the price falls this percent below the entry (above 0, below 100); empty: none.'),
        fee_rate: feeRate('0.001'),
        fee_asset: feeAsset,
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
    live: false,
    ai: false,
    schema: { type: 'object', properties: { capital: decimal('Capital', 'quote', 'Quote spent at the start.') }, required: ['capital'] },
  }
}

export const strategies = (): Strategy[] => [gridStrategy(), meanReversionStrategy(), backtestOnlyStrategy()]
