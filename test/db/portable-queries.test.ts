/**
 * Queries outside src/db use only what every driver runs asynchronously: awaited
 * builders, `returning()`, prepared statements through src/db/prepared.ts and raw
 * SQL through src/db/raw.ts. SQLite's synchronous `.all()`, `.get()`, `.run()`,
 * `.values()` (and raw `db.all(sql)`, `db.run(sql)`, `db.get(sql)`) are refused,
 * told apart from Map.get or Set.values by where the method is declared, so every
 * source file is read with the type checker.
 */
import t from 'tap'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import ts from 'typescript'

const ROOT = resolve(import.meta.dirname, '..', '..')
const SRC = join(ROOT, 'src')
const SYNC_CALLS = ['all', 'get', 'run', 'values']

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return path.endsWith('.ts') ? [path] : []
  })
}

const files = sourceFiles(SRC)
const outsideDb = (file: string) => !relative(SRC, file).startsWith('db/')
const where = (sf: ts.SourceFile, node: ts.Node) => `${relative(ROOT, sf.fileName)}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`

/** Synchronous driver calls in src outside src/db, as file:line and the call. */
function syncDriverCalls(): string[] {
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    resolveJsonModule: true,
    esModuleInterop: true,
  })
  const checker = program.getTypeChecker()
  const found: string[] = []
  for (const sf of program.getSourceFiles()) {
    if (!files.includes(sf.fileName) || !outsideDb(sf.fileName)) continue
    const visit = (node: ts.Node) => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && SYNC_CALLS.includes(node.expression.name.text)) {
        const name = node.expression.name.text
        // An insert's `.values(rows)` is the portable builder method; the others are synchronous with or without arguments.
        const suspect = node.arguments.length === 0 || name !== 'values'
        const declaredIn = checker.getSymbolAtLocation(node.expression.name)?.declarations?.[0]?.getSourceFile().fileName ?? ''
        if (suspect && /node_modules\/(drizzle-orm|better-sqlite3|@types\/better-sqlite3)\//.test(declaredIn)) {
          found.push(`${where(sf, node)} ${node.getText(sf).replace(/\s+/g, ' ').slice(-60)}`)
        }
      }
      ts.forEachChild(node, visit)
    }
    visit(sf)
  }
  return found
}

t.test('no synchronous driver call in src outside src/db', async (t) => {
  const found = syncDriverCalls()
  t.same(found, [], found.length ? `await the builder instead:\n${found.join('\n')}` : 'none')
  // The check sees what it looks for: Map.get, Set.values and an insert's .values(rows) are in src and allowed.
  t.ok(files.some((f) => /\.values\(\)/.test(readFileSync(f, 'utf8'))), 'collection .values() calls exist and pass')
})

t.test('the SQLite handle ($client) is used only inside src/db', async (t) => {
  const found = files.filter(outsideDb).filter((f) => readFileSync(f, 'utf8').includes('$client'))
  t.same(found.map((f) => relative(ROOT, f)), [])
})

t.test('prepared statements have names of their own', async (t) => {
  const names = files.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/\b(?:prepare|listed)\(\s*'([^']+)'/g)].map((m) => m[1]!))
  t.ok(names.length >= 10, `${names.length} prepared statements found`)
  t.same(names.filter((n, i) => names.indexOf(n) !== i), [], 'no name twice')
})
