/**
 * SQLite's transactions with group commit. One connection serves every request, so the
 * transactions of this process take turns. They start at the end of the event loop's turn
 * (setImmediate), and those asked for in that turn, or while a group ran, share one BEGIN
 * IMMEDIATE ... COMMIT, each inside its own SAVEPOINT. A COMMIT (writing the
 * changed pages to the WAL) and its BEGIN cost more than a notification's INSERT
 * (bench/README.md): at a few thousand changes a second most of them now share one.
 *
 * What each caller sees is what its own transaction would give: its function runs alone
 * (members one after the other, in arrival order, each in its caller's async context), its
 * writes are undone when it throws (ROLLBACK TO its savepoint; the others' stay), and it
 * resolves, and its events are published, only after the COMMIT that made its writes
 * durable. A failed COMMIT fails every member of the group. Should a member's error end
 * the whole transaction (SQLite does that on some I/O and disk-full errors), the members
 * before it fail with it and the ones after it run in a new transaction.
 *
 * A group stops taking members after MAX_MEMBERS or once it has run `maxGroupMs`, so the
 * first member's answer waits on the others only so long.
 */
import { AsyncResource } from 'node:async_hooks'
import type Database from 'better-sqlite3'

const MAX_MEMBERS = 64

/** One queued transaction: `run` executes its function (in its caller's context); `settle` answers the caller. */
interface Member {
  run(): Promise<unknown>
  settle(outcome: Outcome): void
}
export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown }

export interface GroupCommitStats {
  /** Transactions committed or rolled back. */
  transactions: number
  /** COMMITs that ended a group (transactions / commits = how many shared one). */
  commits: number
}

interface Statements {
  begin: Database.Statement
  commit: Database.Statement
  rollback: Database.Statement
  savepoint: Database.Statement
  rollbackTo: Database.Statement
  release: Database.Statement
}

export class GroupCommit {
  readonly stats: GroupCommitStats = { transactions: 0, commits: 0 }
  /** A group takes no further member once it has run this long (tests lengthen it to make grouping certain). */
  maxGroupMs = 8
  private readonly queue: Member[] = []
  private running = false
  /** A drain waits for the end of this turn of the event loop, so that the requests read in it share a group. */
  private scheduled = false
  private readonly sql: Statements

  constructor(private readonly sqlite: Database.Database) {
    this.sql = {
      begin: sqlite.prepare('BEGIN IMMEDIATE'),
      commit: sqlite.prepare('COMMIT'),
      rollback: sqlite.prepare('ROLLBACK'),
      savepoint: sqlite.prepare('SAVEPOINT member'),
      rollbackTo: sqlite.prepare('ROLLBACK TO member'),
      release: sqlite.prepare('RELEASE member'),
    }
  }

  /** Runs `fn` in a transaction shared with those queued beside it; resolves after its COMMIT. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // Not AsyncResource.bind: it builds two deprecation wrappers per call (~15 µs here).
      const context = new AsyncResource('transaction')
      this.queue.push({
        run: () => context.runInAsyncScope(fn),
        settle: (outcome) => (outcome.ok ? resolve(outcome.value as T) : reject(outcome.error)),
      })
      if (!this.running && !this.scheduled) {
        this.scheduled = true
        setImmediate(() => {
          this.scheduled = false
          void this.drain()
        })
      }
    })
  }

  private async drain(): Promise<void> {
    this.running = true
    try {
      while (this.queue.length) await this.group()
    } finally {
      this.running = false
    }
  }

  /** One BEGIN ... COMMIT for the members waiting now (or as many as fit). */
  private async group(): Promise<void> {
    const { sql, sqlite } = this
    const members = this.queue.splice(0, MAX_MEMBERS)
    const shared = members.length > 1
    const outcomes: Outcome[] = []
    try {
      sql.begin.run()
    } catch (error) {
      for (const m of members) m.settle({ ok: false, error })
      return
    }
    const started = performance.now()
    try {
      for (const member of members) {
        if (outcomes.length > 0 && performance.now() - started > this.maxGroupMs) break
        if (shared) sql.savepoint.run()
        try {
          const value = await member.run()
          if (shared) sql.release.run()
          outcomes.push({ ok: true, value })
        } catch (error) {
          outcomes.push({ ok: false, error })
          if (!sqlite.inTransaction) break
          if (shared) {
            sql.rollbackTo.run()
            sql.release.run()
          }
        }
      }
    } catch (error) {
      // A savepoint statement failed: nothing of this group can be trusted.
      this.rollback()
      // The ones that had not run yet fail too: they wrote nothing.
      while (outcomes.length < members.length) outcomes.push({ ok: false, error })
      return this.finish(members, outcomes, (o) => (o.ok ? error : o.error))
    }
    // Those the time limit left out (and those after a member that ended the transaction) go first in the next group.
    this.queue.unshift(...members.slice(outcomes.length))
    this.finish(members, outcomes, this.end(outcomes))
  }

  private finish(members: Member[], outcomes: Outcome[], lost: ((o: Outcome) => unknown) | null): void {
    this.stats.transactions += outcomes.length
    outcomes.forEach((o, i) => members[i]!.settle(lost ? { ok: false, error: lost(o) } : o))
  }

  /**
   * COMMIT when a member succeeded (ROLLBACK when none did). Returns null when the
   * members' outcomes stand, or what each one fails with when the transaction was lost.
   */
  private end(outcomes: Outcome[]): ((o: Outcome) => unknown) | null {
    const { sql, sqlite } = this
    if (!sqlite.inTransaction) {
      // A member's error ended the whole transaction: every write of the group is gone.
      const cause = [...outcomes].reverse().find((o) => !o.ok) as { error: unknown } | undefined
      return (o) => (o.ok ? new Error('the transaction was rolled back with another one sharing its commit', { cause: cause?.error }) : o.error)
    }
    if (!outcomes.some((o) => o.ok)) {
      this.rollback()
      return null
    }
    try {
      sql.commit.run()
      this.stats.commits++
      return null
    } catch (error) {
      // A failed COMMIT may have ended the transaction already: the first error is the one to tell.
      this.rollback()
      return (o) => (o.ok ? error : o.error)
    }
  }

  /** Ends the transaction, if it is still open, without throwing: the members' own errors are the ones to tell. */
  private rollback(): void {
    try {
      if (this.sqlite.inTransaction) this.sql.rollback.run()
    } catch {
      // Ended meanwhile (a failed COMMIT ends it itself).
    }
  }
}
