/** Figures of several processes (workers of one cluster) in one answer. */
import type { LiveFigures } from './figures.js'

export interface ProcessReport {
  worker: string
  text: string
  figures: LiveFigures
}

/** Merges several processes' exposition texts: one HELP/TYPE per family, samples labelled by worker. */
export function mergeExpositions(reports: Array<{ worker: string; text: string }>): string {
  const families = new Map<string, { head: string[]; samples: string[] }>()
  for (const { worker, text } of reports) {
    let current: { head: string[]; samples: string[] } | null = null
    for (const line of text.split('\n')) {
      if (!line) continue
      const meta = /^# (HELP|TYPE) (\S+)/.exec(line)
      if (meta) {
        const name = meta[2]!
        let family = families.get(name)
        if (!family) families.set(name, (family = { head: [], samples: [] }))
        if (family.head.length < 2 && !family.head.some((h) => h.startsWith(`# ${meta[1]} `))) family.head.push(line)
        current = family
        continue
      }
      if (!current) continue
      const label = `worker="${worker}"`
      if (line.includes(label)) {
        current.samples.push(line)
        continue
      }
      current.samples.push(line.includes('{') ? line.replace('{', `{${label},`) : line.replace(' ', `{${label}} `))
    }
  }
  const out: string[] = []
  for (const { head, samples } of families.values()) out.push(...head, ...samples)
  return out.join('\n') + '\n'
}
