package optim

// Trace returns the momentum transform of torch.optim.SGD (optax trace
// with dampening). For each element, with μ the momentum and τ the
// dampening:
//
//	b ← u                       (the parameter's first step, Step = 1)
//	b ← μ·b + (1−τ)·u           (later steps)
//	u ← u + μ·b                 (nesterov)
//	u ← b                       (heavy ball)
//
// The state is "momentum_buffer" (b). The caller validates μ and τ
// (NewSGD does: Nesterov needs μ > 0 and τ = 0).
func Trace(momentum, dampening float64, nesterov bool) Transform {
	return &trace{mu: momentum, damp: dampening, nesterov: nesterov}
}

type trace struct {
	mu, damp float64
	nesterov bool
}

var traceStateNames = []string{"momentum_buffer"}

func (*trace) Name() string           { return "trace" }
func (*trace) StateNames() []string   { return traceStateNames }
func (*trace) Init(n int) [][]float32 { return zeros(1, n) }

func (tr *trace) Update(slots []Slot) {
	mu, omd := float32(tr.mu), float32(1-tr.damp)
	for i := range slots {
		s := &slots[i]
		st := stateOf(tr, s, 1)
		u, b := s.U, st[0][:len(s.U)]
		if s.Step == 1 {
			copy(b, u)
		} else {
			for j, g := range u {
				b[j] = mu*b[j] + omd*g
			}
		}
		if tr.nesterov {
			for j, bj := range b {
				u[j] += mu * bj
			}
		} else {
			copy(u, b)
		}
	}
}
