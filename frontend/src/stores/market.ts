// Symbols, candles and the live market stream (/ws/market/{symbol}) of the chart's symbol.

import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { marketApi } from '@/api/endpoints'
import { createSocket, wsUrl, type SocketHandle, type SocketOptions } from '@/composables/useWebSocket'
import type { Candle, MarketSymbol } from '@/types/api'
import { asMarketMessage, type LiveCandle, type MarketWsMessage } from '@/types/ws'
import { addSample, type ClockSample } from '@/utils/marketClock'
import { pairToSymbol } from '@/utils/market'

export const useMarketStore = defineStore('market', () => {
  const symbols = ref<MarketSymbol[]>([])
  const candles = ref<Candle[]>([])
  const candlesSymbol = ref<string | null>(null)
  /** the newest kline from the stream: the chart updates its last candle from it */
  const liveCandle = ref<LiveCandle | null>(null)
  const lastPrice = ref<string | null>(null)
  const streamSymbol = ref<string | null>(null)
  /** readings of the exchange's clock (a trade's time, and when it arrived): maps a fill's time onto the candles' */
  const clock = shallowRef<readonly ClockSample[]>([])

  let symbolsRequest: Promise<MarketSymbol[]> | null = null
  /** Loaded once per session; concurrent callers share the request. */
  function fetchSymbols(force = false): Promise<MarketSymbol[]> {
    if (!force && symbols.value.length > 0) return Promise.resolve(symbols.value)
    symbolsRequest ??= marketApi
      .symbols()
      .then((list) => (symbols.value = list))
      .finally(() => (symbolsRequest = null))
    return symbolsRequest
  }

  function symbolForPair(pair: string): MarketSymbol | null {
    return symbols.value.find((s) => s.pair === pair) ?? null
  }

  async function fetchCandles(symbol: string, interval = '1m', limit = 500): Promise<Candle[]> {
    candlesSymbol.value = symbol
    const list = await marketApi.candles(symbol, interval, limit)
    if (candlesSymbol.value === symbol) {
      candles.value = list
      liveCandle.value = null
      const last = list[list.length - 1]
      if (last) lastPrice.value = last.close
    }
    return list
  }

  /** The last price of a symbol (the config page's hint for the grid range). */
  async function fetchPrice(symbol: string): Promise<string> {
    const res = await marketApi.price(pairToSymbol(symbol))
    return res.price
  }

  /** A candle that closed joins the loaded ones (in place: the chart draws it from the stream already), so what is
   * computed over closes (mean reversion's bands) follows the market. */
  function keepClosed(c: LiveCandle): void {
    if (candlesSymbol.value !== streamSymbol.value) return
    const list = candles.value
    const last = list[list.length - 1]
    const candle: Candle = { time: c.time, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume }
    if (last && last.time === c.time) list.splice(list.length - 1, 1, candle)
    else if (!last || c.time > last.time) list.push(candle)
  }

  function handleMessage(msg: MarketWsMessage): void {
    if (pairToSymbol(msg.symbol) !== streamSymbol.value) return
    if (msg.type === 'kline') {
      liveCandle.value = msg.candle
      lastPrice.value = msg.candle.close
      if (msg.candle.closed) keepClosed(msg.candle)
    } else {
      lastPrice.value = msg.price
      if (Number.isFinite(msg.time)) clock.value = addSample(clock.value, { wall: Date.now(), market: msg.time })
    }
  }

  let socket: SocketHandle | null = null
  let socketImpl: SocketOptions<unknown>['impl']

  /** Follows one symbol at a time; a new symbol closes the previous stream. */
  function subscribe(symbol: string): void {
    const sym = pairToSymbol(symbol)
    if (socket && streamSymbol.value === sym) return
    unsubscribe()
    streamSymbol.value = sym
    socket = createSocket<MarketWsMessage>({
      url: () => wsUrl(`/ws/market/${sym}`),
      parse: asMarketMessage,
      onMessage: handleMessage,
      impl: socketImpl,
    })
    socket.connect()
  }

  function unsubscribe(): void {
    socket?.close()
    socket = null
    streamSymbol.value = null
  }

  function useSocketImpl(impl: SocketOptions<unknown>['impl']): void {
    socketImpl = impl
  }

  function reset(): void {
    unsubscribe()
    candles.value = []
    candlesSymbol.value = null
    liveCandle.value = null
    lastPrice.value = null
    clock.value = []
  }

  return {
    symbols,
    candles,
    candlesSymbol,
    liveCandle,
    lastPrice,
    streamSymbol,
    clock,
    fetchSymbols,
    symbolForPair,
    fetchCandles,
    fetchPrice,
    handleMessage,
    subscribe,
    unsubscribe,
    useSocketImpl,
    reset,
  }
})
