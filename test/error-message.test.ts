import t from 'tap'
import vm from 'node:vm'
import { clip, MAX_ERROR_LENGTH, nonBooleanMessage, thrownMessage } from '../lib/error-message'

t.test('clip', async t => {
  t.equal(clip('plain'), 'plain', 'short text unchanged')
  t.equal(clip(''), '', 'empty stays empty (callers choose a fallback)')
  t.equal(clip('boom\n    at f (a.js:1:1)\n    at g (b.js:2:2)'), 'boom', 'embedded stack frames cut')
  t.equal(clip('boom\r\n    at f (a.js:1:1)'), 'boom', 'a CRLF before the frames goes too')
  t.equal(clip('line one\nline two'), 'line one\nline two', 'a newline that does not start a frame is kept')
  t.equal(clip('\n    at f (a.js:1:1)'), '', 'frames only: nothing left')

  const exact = 'x'.repeat(MAX_ERROR_LENGTH)
  t.equal(clip(exact), exact, 'exactly MAX_ERROR_LENGTH is not cut')
  const long = clip('y'.repeat(MAX_ERROR_LENGTH + 1))
  t.equal(long.length, MAX_ERROR_LENGTH, 'cut to MAX_ERROR_LENGTH')
  t.ok(long.endsWith('…'), 'ends with an ellipsis')
  t.equal(long.slice(0, -1), 'y'.repeat(MAX_ERROR_LENGTH - 1))

  const mb = clip('z'.repeat(1024 * 1024))
  t.equal(mb.length, MAX_ERROR_LENGTH, '1 MB cut to MAX_ERROR_LENGTH')

  // A surrogate pair straddling the cut is dropped whole rather than split.
  const emoji = '😀'
  const straddle = clip('a'.repeat(MAX_ERROR_LENGTH - 2) + emoji + 'tail')
  t.equal(straddle, 'a'.repeat(MAX_ERROR_LENGTH - 2) + '…', 'pair that would be split is dropped')
  t.notOk(/[\ud800-\udbff](?![\udc00-\udfff])/.test(straddle), 'no lone high surrogate')
  const fits = clip('a'.repeat(MAX_ERROR_LENGTH - 3) + emoji + 'tail')
  t.equal(fits, 'a'.repeat(MAX_ERROR_LENGTH - 3) + emoji + '…', 'pair that fits is kept')
  t.equal(fits.length, MAX_ERROR_LENGTH)

  t.equal(clip('m'.repeat(2000) + '\n    at f (a.js:1:1)').length, MAX_ERROR_LENGTH, 'frames cut, then length cut')
})

t.test('thrownMessage: Error values', async t => {
  t.equal(thrownMessage(new Error('boom')), 'boom', 'message')
  t.equal(thrownMessage(new TypeError('bad type')), 'bad type', 'subclass message')
  t.equal(thrownMessage(new RangeError('')), 'RangeError', 'empty message: the name')
  t.equal(thrownMessage(new Error()), 'Error', 'no message: the name')
  const nameless = new Error('')
  nameless.name = ''
  t.equal(thrownMessage(nameless), 'Error', 'empty message and empty name')
  const numericName = new Error('')
  Object.defineProperty(numericName, 'name', { value: 42 })
  t.equal(thrownMessage(numericName), 'Error', 'non-string name')
  const nonString = new Error('x')
  Object.defineProperty(nonString, 'message', { value: 7 })
  t.equal(thrownMessage(nonString), 'Error', 'non-string message falls back to the name')

  const getterMessage = new Error('hidden')
  Object.defineProperty(getterMessage, 'message', { get () { throw new Error('getter') } })
  t.equal(thrownMessage(getterMessage), 'Error', 'message getter throws: the name')
  class HostileError extends Error {
    override get message (): string { throw new Error('no') }
  }
  HostileError.prototype.name = 'HostileError'
  t.equal(thrownMessage(new HostileError()), 'HostileError', 'message getter on the class: the name')
  const allHostile = new Error('x')
  Object.defineProperty(allHostile, 'message', { get () { throw new Error('m') } })
  Object.defineProperty(allHostile, 'name', { get () { throw new Error('n') } })
  t.equal(thrownMessage(allHostile), 'Error', 'message and name getters throw')

  const withStack = new Error('outer\n    at fake (x.js:1:1)')
  t.equal(thrownMessage(withStack), 'outer', 'stack embedded in the message cut')
  const onlyStack = new Error('\n    at fake (x.js:1:1)')
  t.equal(thrownMessage(onlyStack), 'Error', 'message that is only frames: the name, never empty')
  t.equal(thrownMessage(new Error('e'.repeat(5000))).length, MAX_ERROR_LENGTH, 'long message cut')
  const longName = new Error('')
  longName.name = 'N'.repeat(5000)
  t.equal(thrownMessage(longName).length, MAX_ERROR_LENGTH, 'long name cut')
  const frameName = new Error('')
  frameName.name = '\n    at x (y.js:1:1)'
  t.equal(thrownMessage(frameName), 'Error', 'a name that is only frames')

  const foreign = vm.runInNewContext('new Error("from another realm")') as unknown
  t.notOk(foreign instanceof Error, 'precondition: not instanceof this realm\'s Error')
  t.equal(thrownMessage(foreign), 'from another realm', 'an Error from another realm: its message, no "Error: " prefix')
})

t.test('thrownMessage: other values', async t => {
  t.equal(thrownMessage('a string'), 'a string')
  t.equal(thrownMessage(''), 'check threw an empty string')
  t.equal(thrownMessage('\n    at x (y.js:1:1)'), 'check threw a stack trace without a message')
  t.equal(thrownMessage(null), 'null')
  t.equal(thrownMessage(undefined), 'undefined')
  t.equal(thrownMessage(42), '42')
  t.equal(thrownMessage(0n), '0')
  t.equal(thrownMessage(false), 'false')
  t.equal(thrownMessage(Symbol('s')), 'Symbol(s)')
  t.equal(thrownMessage({ code: 1 }), '[object Object]')
  t.equal(thrownMessage({ toString: () => 'custom' }), 'custom')
  t.equal(thrownMessage([1, 2]), '1,2')
  t.equal(thrownMessage('s'.repeat(1024 * 1024)).length, MAX_ERROR_LENGTH, '1 MB string cut')
  const unconvertible = 'check threw a value that cannot be converted to a string'
  t.equal(thrownMessage({ toString () { throw new Error('no') } }), unconvertible, 'toString throws')
  t.equal(thrownMessage(Object.create(null)), unconvertible, 'no toString at all')
  const { proxy, revoke } = Proxy.revocable({}, {})
  revoke()
  t.equal(thrownMessage(proxy), unconvertible, 'revoked proxy')
  const trap = new Proxy({}, { getPrototypeOf () { throw new Error('trap') } })
  t.equal(thrownMessage(trap), '[object Object]', 'proxy whose getPrototypeOf trap throws')
})

t.test('nonBooleanMessage: every typeof branch', async t => {
  const cases: Array<[unknown, string]> = [
    [undefined, 'undefined'],
    ['yes', 'the string "yes"'],
    ['', 'the string ""'],
    ['q'.repeat(50), `the string "${'q'.repeat(40)}…"`],
    [1, 'the number 1'],
    [NaN, 'the number NaN'],
    [10n, 'the bigint 10'],
    [Symbol('s'), 'a symbol'],
    [() => true, 'a function'],
    [null, 'null'],
    [[true], 'an array'],
    [{ ok: true }, 'an object'],
    [new Map(), 'an object']
  ]
  for (const [value, described] of cases) {
    t.equal(nonBooleanMessage(value), `check returned ${described}; expected a boolean`, described)
  }
  const { proxy, revoke } = Proxy.revocable([], {})
  revoke()
  t.equal(nonBooleanMessage(proxy), 'check returned an object; expected a boolean', 'revoked proxy does not throw')
})

t.test('clip: stack frames of any runtime never reach the report; the first line stays', async t => {
  const cases: Array<[string, string, string]> = [
    ['tab-indented V8 frames', 'boom\n\tat f (/srv/app.js:1:2)\n\tat g (/srv/lib.js:3:4)', 'boom'],
    ['Java frames', 'java.sql.SQLException: refused\n\tat com.acme.Db.connect(Db.java:42)', 'java.sql.SQLException: refused'],
    ['Python traceback', 'Traceback (most recent call last):\n  File "/srv/app.py", line 3, in <module>\n    connect()\n  File "/srv/db.py", line 9, in connect\n    raise ConnectionError("refused")\nConnectionError: refused',
      'Traceback (most recent call last):\nConnectionError: refused'],
    ['Python traceback after a message', 'check failed\nTraceback (most recent call last):\n  File "/srv/app.py", line 3, in <module>\n    main()\nValueError: bad', 'check failed\nValueError: bad'],
    ['Python frame at the end', 'boom\n  File "/srv/app.py", line 3', 'boom'],
    ['Firefox frames', 'boom\nconnect@https://example.com/app.js:10:5\n@https://example.com/app.js:20:1', 'boom'],
    ['Safari frames', 'boom\nglobal code@/srv/app.js:10\nmodule code@/srv/app.js:3:1\neval code@/srv/app.js:1:1', 'boom'],
    ['Firefox async frames', 'boom\nasync*connect@/srv/app.js:10:5\npromise callback*run@/srv/app.js:2:3', 'boom'],
    ['an address in the message is not a frame', 'boom\nfailed to reach postgres@db:5432 after 3 tries', 'boom\nfailed to reach postgres@db:5432 after 3 tries'],
    ['Go frames', 'panic: refused\n\ngoroutine 1 [running]:\nmain.connect()\n\t/src/main.go:12 +0x1d\nmain.main()\n\t/src/main.go:20 +0x25',
      'panic: refused\n\ngoroutine 1 [running]:\nmain.connect()\nmain.main()'],
    ['Windows paths', 'boom\n   C:\\srv\\app.js:10', 'boom'],
    ['CRLF frames', 'boom\r\n\tat f (a.js:1:1)\r\n', 'boom'],
    ['a frame-like first line stays', '    at f (/srv/app.js:1:2)\n    at g (/srv/app.js:1:2)', '    at f (/srv/app.js:1:2)']
  ]
  for (const [what, message, expected] of cases) {
    const text = clip(message)
    t.equal(text, expected, what)
    if (!what.startsWith('a frame-like first line')) t.notMatch(text, /\.(js|py|go|java):\d/, `${what}: no frame left`)
  }
})

/**
 * The lengths of the strings that regular expressions were tested on while `fn` ran: the work of the frame search,
 * counted instead of timed. (A wrapper of our own: t.capture() tests expressions itself while it records.)
 */
function regexInputs (fn: () => void): number[] {
  const test = RegExp.prototype.test
  const lengths: number[] = []
  // eslint-disable-next-line no-extend-native
  RegExp.prototype.test = function (this: RegExp, input: string) {
    lengths.push(String(input).length)
    return test.call(this, input)
  }
  try {
    fn()
  } finally {
    RegExp.prototype.test = test // eslint-disable-line no-extend-native
  }
  return lengths
}

t.test('clip: the frame search works on a bounded part of any message, in lines of bounded length', async t => {
  const sum = (lengths: number[]): number => lengths.reduce((a, b) => a + b, 0)
  // Lines that made the frame expression backtrack quadratically: `@` or `/` with nothing that ends a frame after it.
  const shapes: Array<[string, (n: number) => string, string]> = [
    ['long lines of @', n => 'boom\n' + ('@'.repeat(20_000) + '\n').repeat(n), 'boom\n' + '@'.repeat(MAX_ERROR_LENGTH - 6) + '…'],
    ['long lines of /', n => 'boom\n' + ('/'.repeat(20_000) + '\n').repeat(n), 'boom\n' + '/'.repeat(MAX_ERROR_LENGTH - 6) + '…'],
    ['short lines of @', n => 'boom\n' + ('@'.repeat(1000) + '\n').repeat(16 * n), 'boom\n' + '@'.repeat(1000) + '\n' + '@'.repeat(MAX_ERROR_LENGTH - 1007) + '…'],
    ['Python frames with long source lines', n => 'boom\n' + ('  File "a.py", line 1\n  ' + '@'.repeat(1000) + '\n').repeat(16 * n), 'boom']
  ]
  for (const [what, message, expected] of shapes) {
    const small = message(1)
    const large = message(4)
    let text = ''
    const inputs = regexInputs(() => { text = clip(small) })
    const inputsLarge = regexInputs(() => { clip(large) })
    t.equal(text, expected, `${what}: the message, frames cut, then cut to MAX_ERROR_LENGTH`)
    t.ok(Math.max(...inputs, ...inputsLarge) <= MAX_ERROR_LENGTH, `${what}: no line longer than an error text is searched`)
    t.ok(sum(inputs) <= 64 * MAX_ERROR_LENGTH, `${what}: at most 64 KiB searched (${sum(inputs)})`)
    t.equal(sum(inputsLarge), sum(inputs), `${what}: a message four times as long costs the same`)
  }

  const frames = '    at f (/srv/app.js:1:2)\n'.repeat(2000)
  t.equal(clip('boom\n' + frames), 'boom', 'a frame cut by the end of the searched part is not shown')
  t.equal(clip('boom\n' + '    at f (/srv/app.js:1:2)\n'.repeat(100) + 'caused by: refused'), 'boom\ncaused by: refused', 'text after a long stack is kept')
  const longLine = clip('boom\n' + 'x'.repeat(20_000))
  t.equal(longLine, 'boom\n' + 'x'.repeat(MAX_ERROR_LENGTH - 6) + '…', 'a line longer than the searched part is text')
})
