import t from 'tap'
import { formatBytes, formatMs, formatRatio } from '../../lib/checks/format'

t.test('formatBytes uses binary units with at most one decimal', async t => {
  t.equal(formatBytes(0), '0 B')
  t.equal(formatBytes(1023), '1023 B')
  t.equal(formatBytes(1024), '1 KiB')
  t.equal(formatBytes(1536), '1.5 KiB')
  t.equal(formatBytes(512 * 1024 ** 2), '512 MiB')
  t.equal(formatBytes(1024 ** 3), '1 GiB')
  t.equal(formatBytes(1.25 * 1024 ** 3), '1.3 GiB')
  t.equal(formatBytes(3 * 1024 ** 4), '3 TiB')
  t.equal(formatBytes(1024 ** 6), '1 EiB')
  t.equal(formatBytes(2048 * 1024 ** 6), '2048 EiB', 'EiB is the largest unit')
})

t.test('formatRatio and formatMs', async t => {
  t.equal(formatRatio(0), '0%')
  t.equal(formatRatio(0.1), '10%')
  t.equal(formatRatio(0.0512), '5.1%')
  t.equal(formatMs(100), '100 ms')
  t.equal(formatMs(12.345), '12.3 ms')
})
