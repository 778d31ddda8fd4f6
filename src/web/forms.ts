/**
 * A page whose form was rejected shows it again with a message next to each field.
 * The service says what is wrong by throwing an `invalid` DomainError with field
 * messages; anything else goes on to the error handler.
 */
import { DomainError, type FieldErrors } from '../errors.js'

/** The field messages of a rejected form; rethrows every other failure. */
export function rejectedFields(err: unknown): FieldErrors {
  if (err instanceof DomainError && err.fields) return err.fields
  throw err
}
