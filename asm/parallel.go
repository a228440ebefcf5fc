package asm

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Parallel calls f(lo, hi) on consecutive ranges [lo, hi) that cover
// [0, n) exactly once, at the same time on the calling goroutine and on
// the persistent worker goroutines that Sgemm uses, and returns when every
// call has returned. It is meant for loops of a few microseconds to a few
// hundred (elementwise kernels, optimizer steps) run between products,
// while the workers poll for the next part (OpenMP's active wait): a
// range goes only to a worker that polls, and runs on the caller when
// none does (no worker has run a part for 200 µs, or the machine is
// busy). Waking a blocked worker costs tens of microseconds and, on a
// loaded machine, more than a loop this short saves; ParallelCoarse
// wakes them.
//
// The ranges are at most min(Threads(), runtime.GOMAXPROCS(0)) and at most
// n/grain: each holds at least grain indices, every boundary is a multiple
// of grain, and the split depends only on n, grain and that count. The
// caller runs the last range. A range handed to a worker that has not
// started it when the caller is done with its own (its thread lost the
// core) is taken back and run by the caller, so a descheduled worker
// never stalls the call; ranges run on whichever goroutine picks them up,
// and f must not depend on which one.
//
// grain sets the granularity: a range of grain indices should take a few
// microseconds at least, as handing a range to a polling worker and
// hearing back costs about a microsecond. Elementwise kernels give results
// independent of the split when grain is a multiple of their vector width
// (64 suits every kernel of this package).
//
// f(0, n) runs on the caller alone, with no hand-off, when n < 2·grain,
// when Threads() is 1 or when GOMAXPROCS is 1; n = 0 calls nothing.
// Parallel does not allocate (its bookkeeping is pooled) and starts no
// goroutine after the workers exist; a closure passed as f may allocate
// in the caller.
//
// f may call Sgemm and Parallel: a nested call finds the workers busy and
// mostly runs on its own goroutine, so nesting is safe but gains little.
// f may not assume that its calls run in any order or on distinct
// goroutines.
//
// If f panics, Parallel waits for the ranges that have started and then
// panics on the caller with the value of one of the panics (a range that
// panicked on a worker loses its stack trace); ranges not started by then
// may not run. A runtime.Goexit in f (t.FailNow in a test) on a worker
// surfaces on the caller as a panic whose message starts "asm: parallel:".
// Parallel panics if n < 0 or grain < 1.
func Parallel(n, grain int, f func(lo, hi int)) {
	parallel(n, grain, f, false)
}

// ParallelCoarse is Parallel for ranges that take tens of microseconds
// or more each (the images of a convolution): it also wakes blocked
// workers, as Sgemm does, rather than run everything on the caller when
// no worker polls.
func ParallelCoarse(n, grain int, f func(lo, hi int)) {
	parallel(n, grain, f, true)
}

// parallel is Parallel, waking blocked workers if wake is set.
func parallel(n, grain int, f func(lo, hi int), wake bool) {
	if n < 0 || grain < 1 {
		panic(fmt.Sprintf("asm: parallel: n=%d < 0 or grain=%d < 1", n, grain))
	}
	if n == 0 {
		return
	}
	parts := min(n/grain, int(sgemmThreads.Load()))
	if parts > 1 {
		parts = min(parts, runtime.GOMAXPROCS(0))
	}
	if parts <= 1 {
		f(0, n)
		return
	}
	units := (n + grain - 1) / grain
	// bound(i) = min(n, ⌊units·i/parts⌋·grain), without overflow.
	q, r := units/parts, units%parts
	bound := func(i int) int { return min(n, (q*i+r*i/parts)*grain) }

	job := newWorkerJob(parts - 1)
	finished := false
	defer func() {
		if !finished {
			// f panicked or called runtime.Goexit on this goroutine: wait
			// for the ranges running elsewhere and let it unwind.
			job.finish(false)
			job.release()
		}
	}()
	for i := range job.tasks {
		task := &job.tasks[i]
		task.f, task.lo, task.hi = f, bound(i), bound(i+1)
		job.handOff(task, wake)
	}
	f(bound(parts-1), n)
	job.finish(true)
	finished = true
	v, panicked := job.panicked()
	job.release()
	if panicked {
		panic(v)
	}
}

// workerGoexit is the panic value of Parallel when f called
// runtime.Goexit on a worker.
const workerGoexit = "asm: parallel: f called runtime.Goexit on a worker goroutine"

// workerSpin is how long an idle worker, and a caller waiting for a part,
// poll before they block. Waking a blocked goroutine on an idle core takes
// tens of microseconds (the runtime parks the thread, and a virtual CPU
// halts), as long as a part of the MLP's products; a worker that polls
// picks up the next product or range at once. Polling holds a P, so it is
// skipped when GOMAXPROCS is 1.
const workerSpin = 200 * time.Microsecond

// workerTakenBack counts the parts that callers took back from a worker
// that had not started them, for tests and diagnostics.
var workerTakenBack atomic.Uint64

// workerTask is one part of a parallel call, handed to a worker: a part
// of an Sgemm product (f nil) or a range of Parallel.
type workerTask struct {
	p *sgemmParams // the Sgemm part
	g sgemmGeom

	f        func(lo, hi int) // the Parallel range
	lo, hi   int
	panicked bool // f panicked (or called runtime.Goexit) ...
	panicVal any  // ... with this value

	job    *workerJob
	worker *workerG     // the worker it was handed to, or nil
	spin   bool         // poll before blocking (GOMAXPROCS > 1)
	done   atomic.Int32 // taskRunning, taskDone, or taskWaiting
}

// The states of workerTask.done.
const (
	taskRunning = iota // the part is handed out or being computed
	taskDone           // the part is complete (or was skipped)
	taskWaiting        // the caller is blocked on job.wake
)

// run computes the part on the calling goroutine. A panic of f is
// recovered into task.panicked and task.panicVal; a runtime.Goexit of f
// is recorded the same way and goes on.
func (task *workerTask) run() {
	if task.f == nil {
		w := sgemmWorkPool.Get().(*sgemmWork)
		sgemmSerial(task.p, &task.g, w)
		sgemmWorkPool.Put(w)
		return
	}
	ok := false
	defer func() {
		if !ok {
			task.panicked = true
			// Since Go 1.21 panic(nil) recovers a *runtime.PanicNilError:
			// nil means runtime.Goexit.
			if task.panicVal = recover(); task.panicVal == nil {
				task.panicVal = workerGoexit
			}
		}
	}()
	task.f(task.lo, task.hi)
	ok = true
}

// wait returns when task is done: it polls for up to workerSpin (if
// task.spin), then blocks on the job's wake channel.
func (task *workerTask) wait() {
	if task.spin {
		start := time.Now()
		for i := 1; task.done.Load() != taskDone; i++ {
			if i%64 == 0 && time.Since(start) > workerSpin {
				break
			}
		}
	}
	if task.done.CompareAndSwap(taskRunning, taskWaiting) {
		<-task.job.wake
	}
}

// workerJob holds one parallel call's tasks, those handed to workers; the
// caller runs one more part itself. It is reused through workerJobPool so
// that parallel calls do not allocate in steady state. The caller waits
// for one task at a time, so wake holds at most one signal.
type workerJob struct {
	tasks   []workerTask
	wake    chan struct{}
	workers []*workerG
	spin    bool
}

var workerJobPool = sync.Pool{New: func() any { return &workerJob{wake: make(chan struct{}, 1)} }}

// newWorkerJob returns a job with n zeroed tasks and at least n workers
// running.
func newWorkerJob(n int) *workerJob {
	job := workerJobPool.Get().(*workerJob)
	if cap(job.tasks) < n {
		job.tasks = make([]workerTask, n)
	}
	job.tasks = job.tasks[:n]
	job.workers = startWorkers(n)
	job.spin = runtime.GOMAXPROCS(0) > 1
	return job
}

// handOff gives task, one of job's with its part set, to an idle worker
// (one that polls, or also one that is blocked if wake is set), or runs it
// at once if there is none.
func (job *workerJob) handOff(task *workerTask, wake bool) {
	task.job, task.spin = job, job.spin
	task.worker = workerHandOff(job.workers, task, wake)
	if task.worker == nil {
		task.done.Store(taskDone)
		task.run()
	}
}

// finish returns when every task is done. A task that its worker has not
// started yet is taken back and run here if run is set, or skipped.
func (job *workerJob) finish(run bool) {
	for i := range job.tasks {
		task := &job.tasks[i]
		if w := task.worker; w != nil && w.slot.CompareAndSwap(task, nil) {
			task.worker = nil
			task.done.Store(taskDone) // nothing else waits for it
			w.missed.Store(true)
			workerTakenBack.Add(1)
			if run {
				task.run()
			}
			continue
		}
		task.wait()
	}
}

// panicked returns the panic value of the first task that panicked.
func (job *workerJob) panicked() (any, bool) {
	for i := range job.tasks {
		if job.tasks[i].panicked {
			return job.tasks[i].panicVal, true
		}
	}
	return nil, false
}

// release returns job, all of whose tasks are done, to the pool.
func (job *workerJob) release() {
	clear(job.tasks) // drop the references to the caller's slices and f
	job.workers = nil
	workerJobPool.Put(job)
}

// workerG is a goroutine that runs the parts handed to it in slot: nil
// when it is idle and polling, workerAsleep when it is blocked on wake, a
// task handed to it and not yet started, or workerBusy while it runs one.
// A handed task belongs to whoever moves it out of the slot: the worker
// (to workerBusy) or the caller taking it back (to nil), so neither
// touches a task the other runs.
type workerG struct {
	slot atomic.Pointer[workerTask]
	wake chan struct{}
	// missed is set when a caller takes back a part handed to this
	// worker: its thread did not get a core in time, so the machine is
	// busy, and polling would only take CPU time from the callers.
	missed atomic.Bool
}

// workerAsleep marks the slot of a worker blocked on its wake channel, and
// workerBusy that of a worker running a task.
var (
	workerAsleep = new(workerTask)
	workerBusy   = new(workerTask)
)

// The worker goroutines: started on first need, as many as the most
// parts any call has handed out at once, and kept for the life of the
// process. workerList is replaced, never modified, under workersMu.
var (
	workersMu  sync.Mutex
	workerList atomic.Pointer[[]*workerG]
)

// startWorkers makes sure that at least n workers run and returns them
// all.
func startWorkers(n int) []*workerG {
	if l := workerList.Load(); l != nil && len(*l) >= n {
		return *l
	}
	workersMu.Lock()
	defer workersMu.Unlock()
	var list []*workerG
	if l := workerList.Load(); l != nil {
		list = *l
	}
	if len(list) < n {
		list = append(list[:len(list):len(list)], make([]*workerG, n-len(list))...)
		for i := range list {
			if list[i] == nil {
				list[i] = &workerG{wake: make(chan struct{}, 1)}
				go list[i].run()
			}
		}
		workerList.Store(&list)
	}
	return list
}

// workerHandOff gives task to an idle worker and returns it, or nil if
// every worker is busy (or blocked, unless wake is set). Polling workers
// come first.
func workerHandOff(workers []*workerG, task *workerTask, wake bool) *workerG {
	for _, w := range workers {
		if w.slot.CompareAndSwap(nil, task) {
			return w
		}
	}
	if !wake {
		return nil
	}
	for _, w := range workers {
		if w.slot.CompareAndSwap(workerAsleep, task) {
			w.wake <- struct{}{}
			return w
		}
	}
	return nil
}

// run is the worker's loop: wait for a task, run it, become idle again.
// Only a runtime.Goexit in a Parallel range ends the loop (panics are
// recovered by workerTask.run); the task is then completed and a new
// goroutine takes over w.
func (w *workerG) run() {
	var task *workerTask
	defer func() {
		if task != nil {
			w.complete(task)
		}
		go w.run()
	}()
	spin := false
	for {
		task = w.await(spin)
		spin = task.spin
		task.run()
		w.complete(task)
		task = nil
	}
}

// complete makes w idle and marks task done, waking its caller if it is
// blocked. The caller may reuse task as soon as it is marked.
func (w *workerG) complete(task *workerTask) {
	w.slot.Store(nil)
	if task.done.Swap(taskDone) == taskWaiting {
		task.job.wake <- struct{}{}
	}
}

// await returns the next task handed to w, moved out of the slot (which
// then reads workerBusy), polling for up to workerSpin first if spin is
// set and no part of w's was taken back since it last blocked (w.missed).
func (w *workerG) await(spin bool) *workerTask {
	for {
		if spin && !w.missed.Load() {
			start := time.Now()
			for i := 1; ; i++ {
				if task := w.slot.Load(); task != nil && w.slot.CompareAndSwap(task, workerBusy) {
					return task
				}
				if i%64 == 0 && (w.missed.Load() || time.Since(start) > workerSpin) {
					break
				}
			}
		}
		w.missed.Store(false)
		if w.slot.CompareAndSwap(nil, workerAsleep) {
			<-w.wake
		}
		// The slot holds a task, or nil if its caller took it back
		// before this worker got to it; then block until the next.
		if task := w.slot.Load(); task != nil && task != workerAsleep && w.slot.CompareAndSwap(task, workerBusy) {
			return task
		}
		spin = false
	}
}
