import { notFound } from '../../../errors.js'
import type { PublicUser } from '../../../protocol.js'

/** Who the users are: asked of the accounts domain, never read from its tables. */
export interface People {
  /** The public part of these users, by id; unknown ids are left out. */
  byIds(ids: number[]): Promise<Map<number, PublicUser>>
  /** Users whose username contains `query`, by username. */
  search(query: string, limit: number): Promise<PublicUser[]>
}

export async function findPerson(people: People, id: number): Promise<PublicUser> {
  const user = (await people.byIds([id])).get(id)
  if (!user) throw notFound(`There is no user ${id}`)
  return user
}
