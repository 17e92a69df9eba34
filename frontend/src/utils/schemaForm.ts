// A strategy's config form, built from its JSON schema (GET /api/strategies): the fields in order, their values as
// the inputs hold them (text, or a checkbox's boolean), the config those values make, and the checks that can be
// made before asking the server. Decimals stay strings all the way, typed as the config holds them (a rate as the
// fraction it is: 0.001).

import type { ConfigSchema, FieldSchema, JsonScalar, JsonType, StrategyConfig } from '@/types/strategy'
import { cmp, isDecimal, normalize, shift } from './decimal'
import { humanize } from './format'

export type FieldKind = 'decimal' | 'integer' | 'number' | 'enum' | 'boolean' | 'text'

export interface SchemaField {
  name: string
  kind: FieldKind
  /** `null` is a value it takes: an empty input sends null */
  nullable: boolean
  required: boolean
  label: string
  description: string | null
  /** the schema's `x-unit` */
  unit: string | null
  /** an enum's values, as the select's option values */
  options: string[]
  schema: FieldSchema
}

/** What the inputs hold: a string per field, a boolean for a checkbox. */
export type FormValues = Record<string, string | boolean>

function types(s: FieldSchema): readonly JsonType[] {
  return s.type === undefined ? [] : typeof s.type === 'string' ? [s.type] : s.type
}

function kindOf(s: FieldSchema): FieldKind {
  if (s.enum) return 'enum'
  const t = types(s).find((x) => x !== 'null')
  if (t === 'boolean') return 'boolean'
  if (t === 'integer') return 'integer'
  if (t === 'number') return 'number'
  if (t === 'string' && s.format === 'decimal') return 'decimal'
  return 'text'
}

/** The form's fields: `x-order` first (names it lists that are not properties are skipped), then any other
 * property in the schema's order. */
export function fieldsOf(schema: ConfigSchema): SchemaField[] {
  const props = schema.properties ?? {}
  const order = (schema['x-order'] ?? []).filter((n) => Object.hasOwn(props, n))
  for (const n of Object.keys(props)) if (!order.includes(n)) order.push(n)
  const required = new Set(schema.required ?? [])
  return order.map((name) => {
    const s = props[name]!
    return {
      name,
      kind: kindOf(s),
      nullable: types(s).includes('null') || (s.enum?.includes(null) ?? false),
      required: required.has(name),
      label: s.title ?? humanize(name),
      description: s.description ?? null,
      unit: s['x-unit'] ?? null,
      options: (s.enum ?? []).filter((v) => v !== null).map(String),
      schema: s,
    }
  })
}

/** The input's text for a stored value. */
function toInput(f: SchemaField, v: unknown): string | boolean {
  if (f.kind === 'boolean') return v === true
  if (v === null || v === undefined) return ''
  return String(v)
}

/** The values of a new config: each field's default, else empty. */
export function defaultValues(schema: ConfigSchema): FormValues {
  return Object.fromEntries(fieldsOf(schema).map((f) => [f.name, toInput(f, f.schema.default)]))
}

/**
 * The values of a stored config, and the settings the form has no field for (`kept`: a key a newer server added,
 * or one of another version of the strategy), sent back as they were so that a save never drops a setting. A field
 * the config leaves out shows its default (what the server applies).
 */
export function valuesFromConfig(schema: ConfigSchema, config: StrategyConfig): { values: FormValues; kept: StrategyConfig } {
  const fields = fieldsOf(schema)
  const names = new Set(fields.map((f) => f.name))
  const values = Object.fromEntries(
    fields.map((f) => [f.name, toInput(f, Object.hasOwn(config, f.name) ? config[f.name] : f.schema.default)]),
  )
  const kept = Object.fromEntries(Object.entries(config).filter(([k]) => !names.has(k)))
  return { values, kept }
}

/** The values when a new bot switches from one strategy to another: a field both have keeps what was typed in it
 * (a value other than the first one's default); the others start from the second one's defaults. */
export function carryOver(values: FormValues, from: ConfigSchema, to: ConfigSchema): FormValues {
  const before = defaultValues(from)
  const next = defaultValues(to)
  for (const f of fieldsOf(to)) {
    const v = values[f.name]
    if (v !== undefined && v !== before[f.name] && typeof v === typeof next[f.name]) next[f.name] = v
  }
  return next
}

const text = (v: string | boolean | undefined) => (typeof v === 'string' ? v.trim() : '')

/** The value an input's text means in the config; undefined: the key is left out (the server's default). */
function toValue(f: SchemaField, v: string | boolean | undefined): JsonScalar | undefined {
  if (f.kind === 'boolean') return v === true
  const t = text(v)
  if (t === '') return f.nullable ? null : undefined
  switch (f.kind) {
    case 'decimal':
      return normalize(t)
    case 'integer':
    case 'number':
      return Number(t)
    case 'enum':
      return f.schema.enum?.find((o) => o !== null && String(o) === t) ?? t
    default:
      return t
  }
}

/** The config to send (call after validateValues found nothing): the kept settings, then every field's value. */
export function toConfig(schema: ConfigSchema, values: FormValues, kept: StrategyConfig = {}): StrategyConfig {
  const config: StrategyConfig = { ...kept }
  for (const f of fieldsOf(schema)) {
    const v = toValue(f, values[f.name])
    if (v === undefined) delete config[f.name]
    else config[f.name] = v
  }
  return config
}

const INTEGER_RE = /^[+-]?\d+$/

/** The first bound `value` breaks, as a message; null when within them all. */
function checkBounds(f: SchemaField, value: string): string | null {
  const s = f.schema
  const b = (x: number | string | undefined) => (x === undefined || !isDecimal(String(x)) ? null : String(x))
  const [min, max, xmin, xmax] = [b(s.minimum), b(s.maximum), b(s.exclusiveMinimum), b(s.exclusiveMaximum)]
  if (min !== null && max !== null && (cmp(value, min) < 0 || cmp(value, max) > 0)) return `Between ${min} and ${max}`
  if (min !== null && cmp(value, min) < 0) return `At least ${min}`
  if (max !== null && cmp(value, max) > 0) return `At most ${max}`
  if (xmin !== null && cmp(value, xmin) <= 0) return `Must be above ${xmin}`
  if (xmax !== null && cmp(value, xmax) >= 0) return `Must be below ${xmax}`
  return null
}

function checkField(f: SchemaField, v: string | boolean | undefined): string | null {
  if (f.kind === 'boolean') return null
  const t = text(v)
  if (t === '') return f.required ? 'Required' : null
  switch (f.kind) {
    case 'decimal':
    case 'number':
      return isDecimal(t) ? checkBounds(f, t) : 'Not a number'
    case 'integer':
      return INTEGER_RE.test(t) ? checkBounds(f, t) : 'A whole number'
    case 'enum':
      return f.options.includes(t) ? null : `One of ${f.options.join(', ')}`
    default:
      return null
  }
}

/** Errors keyed by field; empty when the config may be sent. */
export function validateValues(schema: ConfigSchema, values: FormValues): Record<string, string> {
  const errors: Record<string, string> = {}
  for (const f of fieldsOf(schema)) {
    const e = checkField(f, values[f.name])
    if (e) errors[f.name] = e
  }
  return errors
}

/** A 422's field errors split: those a field of the form shows, and the rest ("name: reason") for the general
 * message. */
export function splitFieldErrors(
  fields: Record<string, string>,
  known: ReadonlySet<string>,
): { byField: Record<string, string>; other: string[] } {
  const byField: Record<string, string> = {}
  const other: string[] = []
  for (const [k, v] of Object.entries(fields)) {
    if (known.has(k)) byField[k] = v
    else other.push(`${k}: ${v}`)
  }
  return { byField, other }
}

/** The adornment beside an input for its `x-unit`: an asset of the pair, a symbol, or the unit's own name. */
export function unitLabel(unit: string | null, pair: string): string | null {
  const [base = '', quote = ''] = pair.split('/')
  switch (unit) {
    case null:
      return null
    case 'quote':
    case 'price':
      return quote || 'quote'
    case 'base':
      return base || 'base'
    case 'percent':
      return '%'
    case 'sd':
      return 'σ'
    default:
      return unit
  }
}

/** What a value means in another unit, beside its input: a rate as a percentage ("0.00075" → "= 0.075 %"). */
export function unitNote(unit: string | null, value: string | boolean | undefined): string | null {
  const t = typeof value === 'string' ? value.trim() : ''
  if (unit !== 'rate' || !isDecimal(t)) return null
  return `= ${normalize(shift(t, 2))} %`
}
