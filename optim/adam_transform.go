package optim

import "math"

// ScaleByAdam returns the Adam transform (Kingma & Ba; optax
// scale_by_adam) with bias correction. For each element, with t the
// parameter's Step, bc1 = 1−β1^t and bc2 = 1−β2^t:
//
//	m ← β1·m + (1−β1)·u
//	v ← β2·v + (1−β2)·u²
//	u ← (1/bc1) · m / (√v·(1/√bc2) + ε)
//
// ε is added after the square root of the bias-corrected v, as
// torch.optim.Adam does. 1/bc1 and 1/√bc2 are computed in float64 and
// rounded once; 1−β1 and 1−β2 likewise (see asm.AdamParams). The state is
// "exp_avg" (m) and "exp_avg_sq" (v), both starting at zero.
// The caller validates the hyperparameters (NewAdam does).
func ScaleByAdam(beta1, beta2, eps float64) Transform {
	return &scaleByAdam{b1: beta1, b2: beta2, eps: eps}
}

type scaleByAdam struct{ b1, b2, eps float64 }

var adamStateNames = []string{"exp_avg", "exp_avg_sq"}

func (*scaleByAdam) Name() string           { return "scale_by_adam" }
func (*scaleByAdam) StateNames() []string   { return adamStateNames }
func (*scaleByAdam) Init(n int) [][]float32 { return zeros(2, n) }

func (a *scaleByAdam) Update(slots []Slot) {
	b1, omb1 := float32(a.b1), float32(1-a.b1)
	b2, omb2 := float32(a.b2), float32(1-a.b2)
	eps := float32(a.eps)
	for i := range slots {
		s := &slots[i]
		st := stateOf(a, s, 2)
		t := float64(s.Step)
		c1 := float32(1 / (1 - math.Pow(a.b1, t)))
		rbc2 := float32(1 / math.Sqrt(1-math.Pow(a.b2, t)))
		u, m, v := s.U, st[0][:len(s.U)], st[1][:len(s.U)]
		for j, g := range u {
			mj := b1*m[j] + omb1*g
			vj := b2*v[j] + omb2*g*g
			m[j], v[j] = mj, vj
			d := float32(math.Sqrt(float64(vj)))*rbc2 + eps
			u[j] = c1 * (mj / d)
		}
	}
}
