import { describe, expect, it } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { trackReturnPath } from './returnPath'

const Page = { render: () => null }

function setup() {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', component: Page },
      { path: '/login', component: Page, meta: { guest: true } },
      { path: '/bots/:id/config', component: Page },
    ],
  })
  const returnPath = trackReturnPath(router)
  // holds every navigation until release(): the moment a lazy page's code is still loading
  const held: (() => void)[] = []
  router.beforeEach(() => new Promise<void>((resolve) => held.push(resolve)))
  async function release(): Promise<void> {
    while (held.length === 0) await new Promise((r) => setTimeout(r, 0))
    held.shift()?.()
  }
  /** waits until a navigation is held */
  async function holding(): Promise<void> {
    while (held.length === 0) await new Promise((r) => setTimeout(r, 0))
  }
  return { router, returnPath, release, holding }
}

describe('trackReturnPath', () => {
  it('is the current page when no navigation is under way', async () => {
    const { router, returnPath, release } = setup()
    const done = router.push('/')
    await release()
    await done
    expect(returnPath()).toBe('/')
  })

  it('is the page being opened while it loads, and stays it once opened', async () => {
    const { router, returnPath, release, holding } = setup()
    const first = router.push('/')
    await release()
    await first
    const opening = router.push('/bots/4/config?tab=risk')
    await holding()
    expect(returnPath()).toBe('/bots/4/config?tab=risk')
    await release()
    await opening
    expect(returnPath()).toBe('/bots/4/config?tab=risk')
  })

  it('is never the login page: a navigation to it keeps the page the user was on', async () => {
    const { router, returnPath, release, holding } = setup()
    const first = router.push('/bots/7/config')
    await release()
    await first
    const toLogin = router.push('/login')
    await holding()
    expect(returnPath()).toBe('/bots/7/config')
    await release()
    await toLogin
  })
})
