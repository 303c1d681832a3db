const { shared, spring, timing, runOnJS } = wx.worklet

const Phase = { IDLE: 0, MOVING: 1, SETTLING: 2 }

function limit(value, low, high) {
  'worklet'
  return Math.min(Math.max(value, low), high)
}

const fade = (progress) => {
  'worklet'
  return 1 - progress * progress
}

Component({
  data: { rows: ['alpha', 'beta', 'gamma', 'delta'] },
  lifetimes: {
    created() {
      this._offset = shared(0)
      this._phase = shared(Phase.IDLE)
      this._scroll = shared(0)
    },
    attached() {
      this.applyAnimatedStyle('.knob', () => {
        'worklet'
        const x = limit(this._offset.value, -120, 120)
        return { transform: `translateX(${x}px)`, opacity: fade(Math.abs(x) / 120) }
      })
    },
  },
  methods: {
    reportSettled(where) {
      this.setData({ settledAt: where })
    },
    onDrag(evt) {
      'worklet'
      const phase = this._phase
      const report = this.reportSettled.bind(this)
      if (evt.state === 2) {
        phase.value = Phase.MOVING
        this._offset.value = limit(this._offset.value + evt.deltaX, -120, 120)
        return
      }
      phase.value = Phase.SETTLING
      this._offset.value = spring(0, { damping: 18 }, (finished) => {
        'worklet'
        phase.value = Phase.IDLE
        if (finished) {
          runOnJS(report)(0)
        }
      })
    },
    onScrollUpdate(evt) {
      'worklet'
      const phase = this._phase
      this._scroll.value = evt.detail.scrollTop
      if (this._scroll.value < -40 && phase.value === Phase.IDLE) {
        this._offset.value = timing(60, { duration: 200 }, () => {
          'worklet'
          phase.value = Phase.IDLE
        })
      }
    },
  },
})
