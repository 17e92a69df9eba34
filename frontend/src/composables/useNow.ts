// The time now, as a ref that moves on every `ms` while the component is mounted (a running bot's time ticks).

import { onMounted, onUnmounted, ref, type Ref } from 'vue'

export function useNow(ms = 30000): Ref<number> {
  const now = ref(Date.now())
  let timer: ReturnType<typeof setInterval> | null = null
  onMounted(() => {
    timer = setInterval(() => (now.value = Date.now()), ms)
  })
  onUnmounted(() => {
    if (timer !== null) clearInterval(timer)
  })
  return now
}
