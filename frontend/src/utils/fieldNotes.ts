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
    spacing: str(v.spacing) === 'geometric' ? 'Same percentage between levels.' : 'Same price step between levels.',
    stop_loss_pct: !sl
      ? 'Empty: no stop loss.'
      : slPrice
        ? `% below the lower bound: sells everything and stops when the price falls to ${formatPrice(slPrice, quote)}.`
        : '% below the lower bound: set the lower bound to see its price.',
    take_profit_pct: !tp
      ? 'Empty: no take profit.'
      : tpPrice
        ? `% above the upper bound: sells everything and stops when the price rises to ${formatPrice(tpPrice, quote)}.`
        : '% above the upper bound: set the upper bound to see its price.',
    max_daily_loss: str(v.max_daily_loss) ? '' : 'Empty: no daily limit.',
    out_of_range: OUT_OF_RANGE[str(v.out_of_range)] ?? '',
    sell_on_stop:
      'The Stop dialog starts with this choice; a stop out of range follows it. Stop loss, take profit and the daily loss limit always sell.',
    fee_rate: str(v.fee_rate)
      ? 'In % per fill. Live pays what Binance charges.'
      : "In % per fill. Empty: the server's paper rate (0.1 % by default). Live pays what Binance charges.",
    fee_asset: feeAsset(v, pair),
  }
}

function meanReversion(v: FormValues, pair: string): Record<string, string> {
  const n = str(v.window)
  const k = str(v.band)
  return {
    window: /^\d+$/.test(n) ? `The average of the last ${n} one-minute closes.` : '',
    band: isDecimal(k) ? `Buys when a candle closes below the average − ${normalize(k)} σ; sells when it closes at the average.` : '',
    stop_loss_pct: str(v.stop_loss_pct)
      ? '% below the entry price: the position is sold when the price falls there.'
      : 'Empty: no stop loss; the position waits for the average.',
    fee_rate: 'In % per fill.',
    fee_asset: feeAsset(v, pair),
  }
}

/** The notes for a strategy's fields (a field without one is absent or ''). */
export function fieldNotes(strategy: string, values: FormValues, pair: string): Record<string, string> {
  if (strategy === 'grid') return grid(values, pair)
  if (strategy === 'mean_reversion') return meanReversion(values, pair)
  return {}
}
