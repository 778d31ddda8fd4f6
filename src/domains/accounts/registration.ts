/**
 * What a valid registration is: pure rules, no database. Usernames are compared and
 * stored lower-case.
 */
import { hasErrors, invalid, type FieldErrors } from '../../errors.js'

export interface RegistrationInput {
  username: string
  password: string
  firstName?: string
  lastName?: string
}

const USERNAME = /^[a-z0-9_.-]{3,32}$/
/** Accounts made by `load-users` may be shorter (load1, load2 ...). */
const LOAD_USERNAME = /^[a-z0-9_.-]{1,32}$/

export function normaliseUsername(username: string): string {
  return username.trim().toLowerCase()
}

export function registrationErrors(input: RegistrationInput): FieldErrors {
  const errors: FieldErrors = {}
  if (!USERNAME.test(normaliseUsername(input.username ?? ''))) {
    errors.username = 'Use 3 to 32 letters, digits, dots, dashes or underscores.'
  }
  const password = input.password ?? ''
  if (password.length < 8) errors.password = 'Use at least 8 characters.'
  else if (password.length > 200) errors.password = 'Use at most 200 characters.'
  if ((input.firstName ?? '').length > 50) errors.firstName = 'At most 50 characters.'
  if ((input.lastName ?? '').length > 50) errors.lastName = 'At most 50 characters.'
  return errors
}

/** The registration, or 422 `invalid` with a message per field. */
export function checkRegistration(input: RegistrationInput): void {
  const errors = registrationErrors(input)
  if (hasErrors(errors)) throw invalid(errors, { status: 422 })
}

export const usernameTaken = () => invalid({ username: 'That username is taken.' }, { status: 422 })

/** Usernames `load-users` may create; 400 `invalid` naming the first bad one. */
export function checkLoadUsernames(names: string[]): void {
  const bad = names.find((n) => !LOAD_USERNAME.test(n))
  if (bad !== undefined) throw invalid(`"${bad}" is not a valid username (up to 32 letters, digits, . _ -)`)
}
