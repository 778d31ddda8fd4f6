// /admin/live: uPlot charts of the last 15 minutes, one line per process. The page
// starts with the samples rendered into #ops-history and adds every ops_sample frame
// that arrives on its own socket (app.js dispatches each frame as `pulse:frame`).
(function () {
  'use strict'
  const root = document.getElementById('admin-live')
  if (!root || !window.uPlot) return
  const sampleMs = Number(root.dataset.sampleMs) || 2000
  const windowMs = Number(root.dataset.windowMs) || 15 * 60 * 1000
  const PALETTE = 8
  const MiB = 1048576

  // What each chart draws from a sample: one or two values per process.
  const CHARTS = {
    sockets: { lines: [['', (s) => s.sockets]], digits: 0 },
    users: { lines: [['', (s) => s.users]], digits: 0 },
    deliveries: { lines: [['', (s) => s.deliveriesPerSecond]], digits: 1 },
    latency: { lines: [['p99 ', (s) => s.p99Ms], ['p50 ', (s) => s.p50Ms, [4, 4]]], digits: 1 },
    loop: { lines: [['', (s) => s.eventLoopP99Ms]], digits: 1 },
    rss: { lines: [['', (s) => s.rssBytes / MiB]], digits: 0 },
    dropped: { lines: [['', (s) => s.dropped]], digits: 0 },
    redis: { lines: [['', (s) => s.redisUp]], digits: 0, range: [0, 1.05] },
  }

  /** source -> Map(slot -> sample); a slot is a sample interval (samples of all processes line up). */
  const bySource = new Map()
  let sourcesKey = ''
  const charts = new Map()

  function add(sample) {
    let samples = bySource.get(sample.source)
    if (!samples) bySource.set(sample.source, (samples = new Map()))
    samples.set(Math.round(sample.t / sampleMs), sample)
  }

  function prune(now) {
    const oldest = Math.round((now - windowMs) / sampleMs)
    for (const [source, samples] of bySource) {
      for (const slot of samples.keys()) if (slot < oldest) samples.delete(slot)
      if (samples.size === 0) bySource.delete(source)
    }
  }

  function sources() {
    const list = [...bySource.keys()].map((source) => {
      const any = bySource.get(source).values().next().value
      return { source, worker: any.worker, label: any.worker !== null ? 'worker ' + any.worker : 'pid ' + source.split(':').pop() }
    })
    list.sort((a, b) => (a.worker ?? 1e9) - (b.worker ?? 1e9) || a.source.localeCompare(b.source))
    // Processes of several machines may share a label: then the host names it too.
    const seen = new Map()
    list.forEach((p) => seen.set(p.label, (seen.get(p.label) || 0) + 1))
    list.forEach((p) => { if (seen.get(p.label) > 1) p.label += ' (' + p.source.split(':')[0] + ')' })
    return list
  }

  function css(name) {
    return getComputedStyle(root).getPropertyValue(name).trim()
  }

  function isolated(u, si, show) {
    if (show) return null
    const ys = u.data[si]
    const out = []
    for (let i = 0; i < ys.length; i++) if (ys[i] != null && ys[i - 1] == null && ys[i + 1] == null) out.push(i)
    return out.length ? out : null
  }

  function build(key, figure, procs) {
    const spec = CHARTS[key]
    const series = [{}]
    procs.forEach((p, i) => {
      for (const [prefix, , dash] of spec.lines) {
        // uPlot draws points while a line has few samples in view; past that, a lone value
        // between gaps (one delivery in 15 minutes) still gets its dot.
        series.push({ label: prefix + p.label, stroke: css('--series-' + ((i % PALETTE) + 1)), width: 2, dash, spanGaps: false, points: { filter: isolated } })
      }
    })
    const axis = { stroke: css('--muted'), grid: { stroke: css('--line'), width: 1 }, ticks: { stroke: css('--line') } }
    const plot = figure.querySelector('.ops-plot')
    plot.textContent = ''
    return new uPlot(
      {
        width: Math.max(200, plot.clientWidth),
        height: 150,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: spec.range ? { range: spec.range } : { range: (u, min, max) => [0, Math.max(max * 1.1, spec.digits ? 1 : 2)] } },
        axes: [{ ...axis, space: 70 }, { ...axis, size: 48 }],
        series,
      },
      [[]],
      plot,
    )
  }

  function fmt(v, digits) {
    return v === null || v === undefined ? '–' : Number(v).toFixed(digits)
  }

  function draw() {
    const now = Date.now()
    prune(now)
    const procs = sources()
    const hasData = procs.length > 0
    document.getElementById('ops-empty').hidden = hasData
    document.getElementById('ops-charts').hidden = !hasData
    if (!hasData) return
    const key = procs.map((p) => p.source).join(' ')
    const rebuild = key !== sourcesKey
    sourcesKey = key

    const slots = new Set()
    for (const samples of bySource.values()) for (const slot of samples.keys()) slots.add(slot)
    const xs = [...slots].sort((a, b) => a - b)
    const latest = procs.map((p) => {
      const samples = bySource.get(p.source)
      return samples.get(Math.max(...samples.keys()))
    })

    // From the first sample (a process that just started: at least a minute) up to 15 minutes.
    const to = Math.max(xs[xs.length - 1] * sampleMs, now)
    const from = Math.min(to - 60_000, Math.max(to - windowMs, xs[0] * sampleMs))

    root.querySelectorAll('.ops-chart').forEach((figure) => {
      const key = figure.dataset.chart
      const spec = CHARTS[key]
      const data = [xs.map((slot) => (slot * sampleMs) / 1000)]
      let max = 0
      procs.forEach((p) => {
        const samples = bySource.get(p.source)
        for (const [, value] of spec.lines) {
          data.push(xs.map((slot) => {
            const s = samples.get(slot)
            const v = s ? value(s) : null
            if (typeof v === 'number' && v > max) max = v
            return v
          }))
        }
      })
      figure.dataset.max = String(max)
      let chart = charts.get(key)
      if (rebuild || !chart) {
        chart?.destroy()
        chart = build(key, figure, procs)
        charts.set(key, chart)
      }
      chart.setData(data)
      chart.setScale('x', { min: from / 1000, max: to / 1000 })

      // The legend (and the chart's text alternative): each line's latest value.
      const items = []
      procs.forEach((p, i) => {
        for (const [prefix, value] of spec.lines) items.push({ i, label: prefix + p.label, value: fmt(value(latest[i]), spec.digits) })
      })
      const legend = figure.querySelector('.ops-legend')
      if (key === 'redis' && latest.every((s) => s.redisUp === null)) {
        legend.replaceChildren(Object.assign(document.createElement('li'), { textContent: 'No Redis: one process on the local bus (REDIS_URL is not set).' }))
        figure.querySelector('.ops-plot').setAttribute('aria-label', 'Redis connected: not used, no REDIS_URL')
        return
      }
      legend.replaceChildren(...items.map((item) => {
        const li = document.createElement('li')
        const swatch = document.createElement('span')
        swatch.className = 'ops-swatch ops-swatch-' + ((item.i % PALETTE) + 1)
        swatch.setAttribute('aria-hidden', 'true')
        li.append(swatch, item.label + ': ', Object.assign(document.createElement('strong'), { textContent: item.value }))
        return li
      }))
      const title = figure.querySelector('figcaption').firstChild.textContent.trim()
      figure.querySelector('.ops-plot').setAttribute('aria-label', title + ', last 15 minutes; now ' + items.map((x) => x.label + ' ' + x.value).join(', '))
    })

    // Now: the latest sample of each process still reporting, added up.
    const fresh = latest.filter((s) => now - s.t < 3 * sampleMs + 2000)
    const sum = (f) => fresh.reduce((n, s) => n + f(s), 0)
    root.querySelector('[data-figure="processes"]').textContent = String(fresh.length)
    root.querySelector('[data-figure="sockets"]').textContent = String(sum((s) => s.sockets))
    root.querySelector('[data-figure="users"]').textContent = String(sum((s) => s.users))
    root.querySelector('[data-figure="deliveries"]').textContent = fmt(sum((s) => s.deliveriesPerSecond), 1)
    root.dataset.samples = String(xs.length)
  }

  let scheduled = false
  function redraw() {
    if (scheduled) return
    scheduled = true
    requestAnimationFrame(() => {
      scheduled = false
      draw()
    })
  }

  try {
    JSON.parse(document.getElementById('ops-history').textContent || '[]').forEach(add)
  } catch {
    /* no history: the frames fill the charts */
  }
  draw()

  document.addEventListener('pulse:frame', (e) => {
    if (e.detail && e.detail.type === 'ops_sample') {
      add(e.detail.sample)
      redraw()
    }
  })
  // Resize with the page; new colours when the system switches between light and dark.
  let width = root.clientWidth
  new ResizeObserver(() => {
    if (root.clientWidth === width) return
    width = root.clientWidth
    sourcesKey = ''
    redraw()
  }).observe(root)
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    sourcesKey = ''
    redraw()
  })
  // Lines move left as time passes even when no sample arrives (a stopped process).
  setInterval(redraw, Math.max(sampleMs, 5000))
})()
