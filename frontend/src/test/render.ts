// Renders a component to HTML on the server renderer (no DOM needed): a component test gives props and store state,
// and reads the markup. Teleported content (dialogs) is appended after the component's own.

import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { createSSRApp, type Component } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import { renderToString, type SSRContext } from 'vue/server-renderer'

const stub = { render: () => null }
/** The app's route names (router.ts), so that RouterLinks resolve. */
const ROUTES = [
  { path: '/', name: 'dashboard', component: stub },
  { path: '/login', name: 'login', component: stub },
  { path: '/register', name: 'register', component: stub },
  { path: '/bots/new', name: 'bot-new', component: stub },
  { path: '/bots/:id', name: 'bot', component: stub },
  { path: '/bots/:id/config', name: 'bot-config', component: stub },
  { path: '/notifications', name: 'notifications', component: stub },
  { path: '/health', name: 'health', component: stub },
]

export interface Rendered {
  html: string
  /** elements carrying this data-testid (their opening tags and text, roughly) */
  all: (testid: string) => string[]
  /** the text of the first element with this test id, tags stripped and spaces collapsed; null when absent */
  text: (testid: string) => string | null
  /** an attribute of the first element with this test id */
  attr: (testid: string, name: string) => string | null
}

/** A Pinia made active for the test, so that stores can be filled before rendering. */
export function testPinia(): Pinia {
  const pinia = createPinia()
  setActivePinia(pinia)
  return pinia
}

export async function render(comp: Component, props: Record<string, unknown> = {}, pinia = testPinia()): Promise<Rendered> {
  const app = createSSRApp(comp, props)
  app.use(pinia)
  app.use(createRouter({ history: createMemoryHistory(), routes: ROUTES }))
  const ctx: SSRContext = {}
  let html = await renderToString(app, ctx)
  for (const t of Object.values(ctx.teleports ?? {})) html += t
  html = html.replace(/<!--[^]*?-->/g, '')
  return query(html)
}

function stripTags(s: string): string {
  return s.replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/\s+/g, ' ').trim()
}

/** The element starting at `start` (an opening tag), up to its matching closing tag. */
function element(html: string, start: number): string {
  const name = /^<([a-zA-Z0-9-]+)/.exec(html.slice(start))?.[1]
  if (!name) return ''
  const open = new RegExp(`<${name}[\\s>/]|</${name}>`, 'g')
  open.lastIndex = start + 1
  let depth = 1
  const selfClosing = /^<[^>]*\/>/.exec(html.slice(start))
  if (selfClosing || ['input', 'br', 'img', 'hr', 'meta'].includes(name)) return html.slice(start, html.indexOf('>', start) + 1)
  for (let m = open.exec(html); m; m = open.exec(html)) {
    depth += m[0].startsWith('</') ? -1 : 1
    if (depth === 0) return html.slice(start, m.index + m[0].length)
  }
  return html.slice(start)
}

export function query(html: string): Rendered {
  const all = (testid: string) => {
    const out: string[] = []
    const re = new RegExp(`<[a-zA-Z0-9-]+[^>]*data-testid="${testid}"`, 'g')
    for (let m = re.exec(html); m; m = re.exec(html)) out.push(element(html, m.index))
    return out
  }
  return {
    html,
    all,
    text: (testid) => {
      const e = all(testid)[0]
      return e === undefined ? null : stripTags(e)
    },
    attr: (testid, name) => {
      const e = all(testid)[0]
      if (e === undefined) return null
      const tag = e.slice(0, e.indexOf('>') + 1)
      const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag)
      return m ? (m[1] ?? '') : tag.includes(` ${name}`) ? '' : null
    },
  }
}

export { stripTags }
