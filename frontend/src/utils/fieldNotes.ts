// Notes beside a strategy's config fields that its schema cannot give: what the values typed mean now (the price a
// grid's stop loss is at), and what each choice does. Keyed on the strategy's name and the field's; the fields
// themselves come from the schema (schemaForm.ts).

import { add, isDecimal, mul, normalize, shift, sub } from './decimal'
import { formatPrice } from './format'
import { baseOf, quoteOf } from './market'
import type { FormValues } from './schemaForm'

/** The price a stop loss of `pct` % below `lower` means (core: lower × (1 − pct/100)); null when not computable. */
export function stopLossPrice(lower: string, pct: string): string | null {
  const l = lower.trim()
  const p = pct.trim()
  if (!isDecimal(l) || !isDecimal(p)) return null
  return normalize(mul(l, sub('1', shift(p, -2))))
}

/** The price a take profit of `pct` % above `upper` means (core: upper × (1 + pct/100)); null when not computable. */
export function takeProfitPrice(upper: string, pct: string): string | null {
  const u = upper.trim()
  const p = pct.trim()
  if (!isDecimal(u) || !isDecimal(p)) return null
  return normalize(mul(u, add('1', shift(p, -2))))
}

const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v.trim() : '')

const OUT_OF_RANGE: Record<string, string> = {
  hold: 'Hold: keep the orders and wait for the price to come back into the range.',
  trail: 'Trail: sell the coins at the market and start the same grid again centred on the new price.',
  stop: 'Stop: stop the bot (selling the coins when "Sell on stop" is on).',
}

function feeAsset(v: FormValues, pair: string): string {
  return str(v.fee_asset) === 'quote'
    ? `Fees are paid apart, valued in ${quoteOf(pair) || 'the quote asset'}: how paying them with BNB is modelled.`
    : `Each buy pays its fee in the ${baseOf(pair) || 'coin'} it delivers, as on Binance without BNB.`
}

function grid(v: FormValues, pair: string): Record<string, string> {
  const quote = quoteOf(pair)
  const sl = str(v.stop_loss_pct)
  const tp = str(v.take_profit_pct)
  const slPrice = sl ? stopLossPrice(str(v.lower_bound), sl) : null
  const tpPrice = tp ? takeProfitPrice(str(v.upper_bound), tp) : null
  return {
    stop_loss_pct: !sl
      ? ''
      : slPrice
        ? `That is when the price falls to ${formatPrice(slPrice, quote)}.`
        : 'Set the lower bound to see the price it means.',
    take_profit_pct: !tp
      ? ''
      : tpPrice
        ? `That is when the price rises to ${formatPrice(tpPrice, quote)}.`
        : 'Set the upper bound to see the price it means.',
    out_of_range: OUT_OF_RANGE[str(v.out_of_range)] ?? '',
    sell_on_stop: 'The Stop dialog starts with this choice; a stop out of range follows it. The daily loss limit always sells.',
    fee_rate: 'Paper trading charges it; live pays what Binance charges.',
    fee_asset: feeAsset(v, pair),
  }
}

function meanReversion(v: FormValues, pair: string): Record<string, string> {
  const k = str(v.band)
  return {
    band: isDecimal(k) ? `Buys when a candle closes below the average − ${normalize(k)} σ; sells when one closes at the average.` : '',
    fee_asset: feeAsset(v, pair),
  }
}

/** The notes for a strategy's fields (a field without one is absent or ''). */
export function fieldNotes(strategy: string, values: FormValues, pair: string): Record<string, string> {
  if (strategy === 'grid') return grid(values, pair)
  if (strategy === 'mean_reversion') return meanReversion(values, pair)
  return {}
}
