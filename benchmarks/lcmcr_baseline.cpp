// A same-session C++ baseline for the speed of estimators.mse.latent_class.
//
// Our own implementation (MIT, like the rest of the project) of the data-augmentation
// Gibbs sampler of the LCMCR model (Manrique-Vallier 2016, Biometrics 72(4)), written from
// the algorithm, in the update order of the R package's C++ sampler, so that its
// iterations per second stand in for the reference's on this machine. C++17 and the
// standard library's <random>; or, built with -DLCMCR_BASELINE_GSL, the GNU Scientific
// Library's generators, which the reference uses (Debian: libgsl-dev).
//
// Model: N individuals, class z ~ stick-breaking(alpha) truncated at K, on list j with
// probability lambda_jk given class k; lambda_jk ~ Beta(1, 1); alpha ~ Gamma(a, b) (shape,
// rate); p(N) ∝ 1/N, so that n0 = N - n | theta ~ NegBin(n, 1 - p0).
//
// One sweep, on the 2^J cell counts (sufficient statistics):
//   a. each observed cell's records split among the classes: Multinomial(c_m, ∝ nu_k
//      prod_j lambda_jk^x_j (1 - lambda_jk)^(1 - x_j)), as sequential conditional binomials;
//   b. lambda_jk ~ Beta(1 + on_jk, 1 + off_jk), the augmented missing (drawn in the
//      previous sweep) counted as off every list;
//   c. stick-breaking V_k ~ Beta(1 + n_k, alpha + sum_{l>k} n_l), on the log scale
//      (log-gamma draws), nu_k = V_k prod_{l<k} (1 - V_l);
//   d. p0 = sum_k nu_k prod_j (1 - lambda_jk); n0 ~ NegBin(n, 1 - p0) (failures before n
//      successes);
//   e. the missing individuals' classes ~ Multinomial(n0, ∝ nu_k prod_j (1 - lambda_jk));
//   f. alpha ~ Gamma(a_alpha + K - 1, rate b_alpha - sum_{k<K} log(1 - V_k)).
//
// Usage: lcmcr_baseline K a_alpha b_alpha burn draws thin seed < counts
//   counts: 2^J non-negative integers (cell i = the pattern with bit j set when on list j;
//   cell 0 is ignored). Writes the kept draws of N, one per line, to stdout, then on stderr
//   one line "iterations I seconds S cpu_seconds C" (sampling only, steady_clock and
//   std::clock).

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#ifdef LCMCR_BASELINE_GSL
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#endif

namespace {

#ifdef LCMCR_BASELINE_GSL
// The random variates of the GNU Scientific Library, which the reference calls: Mersenne
// Twister, Marsaglia-Tsang gamma on ziggurat normals, BTPE binomial (inversion for means
// below 14), negative binomial as a gamma-Poisson mixture. Build with -lgsl -lgslcblas.
struct Rng {
    explicit Rng(std::uint64_t seed) : r(gsl_rng_alloc(gsl_rng_mt19937)) { gsl_rng_set(r, seed); }
    ~Rng() { gsl_rng_free(r); }
    Rng(const Rng&) = delete;
    Rng& operator=(const Rng&) = delete;
    gsl_rng* r;
};

double uniform(Rng& rng) { return gsl_rng_uniform(rng.r); }
double gamma_draw(Rng& rng, double shape) { return gsl_ran_gamma(rng.r, shape, 1.0); }
long binomial_draw(Rng& rng, long n, double p) {
    if (n <= 0 || p <= 0.0) return 0;
    if (p >= 1.0) return n;
    return long(gsl_ran_binomial(rng.r, p, (unsigned int)n));
}
long negative_binomial_draw(Rng& rng, long n, double p) {
    return long(gsl_ran_negative_binomial(rng.r, p, double(n)));
}
#else
// The engine and the standard distributions, kept alive across draws: the gamma's normal
// draws come in pairs (Marsaglia's polar method), and a fresh object would discard one.
struct Rng {
    explicit Rng(std::uint64_t seed) : engine(seed) {}
    std::mt19937_64 engine;
    std::gamma_distribution<double> gamma;
    std::binomial_distribution<long> binomial;
    std::poisson_distribution<long> poisson;
};

// [0, 1) from the top 53 bits (libstdc++'s generate_canonical does the same, slower)
double uniform(Rng& rng) { return double(rng.engine() >> 11) * 0x1.0p-53; }

double gamma_draw(Rng& rng, double shape) {
    return rng.gamma(rng.engine, std::gamma_distribution<double>::param_type(shape, 1.0));
}

double pow_int(double q, long n) {
    double out = 1.0;
    for (; n > 0; n >>= 1, q *= q)
        if (n & 1) out *= q;
    return out;
}

// Binomial(n, p) structured as GSL's: inversion from 0 when the mean is below 14, O(1)
// rejection otherwise (here libstdc++'s). libstdc++ alone would use waiting times (one log
// per success) for means below 8, several times slower.
long binomial_draw(Rng& rng, long n, double p) {
    if (n <= 0 || p <= 0.0) return 0;
    if (p >= 1.0) return n;
    if (p > 0.5) return n - binomial_draw(rng, n, 1.0 - p);
    if (double(n) * p >= 14.0) return rng.binomial(rng.engine, std::binomial_distribution<long>::param_type(n, p));
    const double q = 1.0 - p, s = p / q, a = double(n + 1) * s, f0 = pow_int(q, n);
    for (;;) {
        double u = uniform(rng), f = f0;
        for (long x = 0; x <= n; ++x) {
            if (u < f) return x;
            u -= f;
            f *= a / double(x + 1) - s;
        }  // rounding left u unspent: draw again
    }
}

// failures before n successes of probability p, as a gamma-Poisson mixture
long negative_binomial_draw(Rng& rng, long n, double p) {
    double mean = gamma_draw(rng, double(n)) * (1.0 - p) / p;
    return rng.poisson(rng.engine, std::poisson_distribution<long>::param_type(mean));
}
#endif

// log of a Gamma(shape, 1) draw; for shape < 1 via G(shape) = G(shape + 1) U^(1/shape),
// so that tiny shapes (alpha of a few hundredths) do not underflow to log 0.
double log_gamma_draw(Rng& rng, double shape) {
    if (shape >= 1.0) return std::log(gamma_draw(rng, shape));
    double u = uniform(rng);
    while (u <= 0.0) u = uniform(rng);
    return std::log(gamma_draw(rng, shape + 1.0)) + std::log(u) / shape;
}

double beta_draw(Rng& rng, double a, double b) {
    double x = gamma_draw(rng, a), y = gamma_draw(rng, b);
    return x / (x + y);
}

// Multinomial(total, ∝ w[0..K-1]) as sequential conditional binomials; adds to out.
void multinomial_add(Rng& rng, long total, const double* w, int K, long* out) {
    double rest = 0.0;
    for (int k = 0; k < K; ++k) rest += w[k];
    if (total == 1) {  // one record: a single categorical draw
        double u = uniform(rng) * rest;
        int k = 0;
        while (k < K - 1 && u >= w[k]) u -= w[k++];
        out[k] += 1;
        return;
    }
    long remaining = total;
    for (int k = 0; k < K - 1 && remaining > 0; ++k) {
        long b = rest > 0.0 ? binomial_draw(rng, remaining, w[k] / rest) : 0;
        out[k] += b;
        remaining -= b;
        rest -= w[k];
    }
    out[K - 1] += remaining;
}

double log_sum_exp(double a, double b) {
    double m = a > b ? a : b;
    return m + std::log(std::exp(a - m) + std::exp(b - m));
}

struct Args {
    int K;
    double a_alpha, b_alpha;
    long burn, draws, thin;
    std::uint64_t seed;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc != 8) {
        std::fprintf(stderr, "usage: %s K a_alpha b_alpha burn draws thin seed < counts\n", argv[0]);
        return 2;
    }
    Args a{std::atoi(argv[1]), std::atof(argv[2]), std::atof(argv[3]), std::atol(argv[4]),
           std::atol(argv[5]), std::atol(argv[6]), std::strtoull(argv[7], nullptr, 10)};
    std::vector<long> counts;
    for (long c; std::cin >> c;) counts.push_back(c);
    int J = 0;
    while ((std::size_t(1) << J) < counts.size()) ++J;
    if (a.K < 1 || a.thin < 1 || a.draws < 1 || a.burn < 0 || J < 1 || counts.size() != (std::size_t(1) << J)) {
        std::fprintf(stderr, "bad arguments or %zu counts (need 2^J)\n", counts.size());
        return 2;
    }
    const int K = a.K;

    // observed cells with a positive count, their patterns and counts
    std::vector<std::vector<int>> x;
    std::vector<long> freq;
    long n = 0;
    std::vector<long> on_list(J, 0);
    for (std::size_t i = 1; i < counts.size(); ++i) {
        if (counts[i] <= 0) continue;
        std::vector<int> bits(J);
        for (int j = 0; j < J; ++j) {
            bits[j] = int((i >> j) & 1);
            on_list[j] += bits[j] * counts[i];
        }
        x.push_back(bits);
        freq.push_back(counts[i]);
        n += counts[i];
    }
    const int M = int(x.size());
    if (n == 0) {
        std::fprintf(stderr, "no observed record\n");
        return 2;
    }

    Rng rng(a.seed);
    // start: lambda at each list's observed share, weights concentrated on four classes,
    // a small alpha, no missing individuals yet (as the reference starts)
    std::vector<double> lambda(std::size_t(J) * K), nu(K), log_nu(K), w(K);
    for (int j = 0; j < J; ++j)
        for (int k = 0; k < K; ++k) lambda[j * K + k] = double(on_list[j]) / double(n);
    for (int k = 0; k < K; ++k) nu[k] = K > 4 ? (k < 4 ? 0.225 : 0.1 / (K - 4)) : 1.0 / K;
    double alpha = 0.3 / K;
    long n0 = 0;
    std::vector<long> obs_k(K), miss_k(std::size_t(K), 0), cell_k(K), on(std::size_t(J) * K);

    std::vector<long> kept;
    kept.reserve(a.draws);
    const long total = a.burn + a.draws * a.thin;
    auto wall0 = std::chrono::steady_clock::now();
    std::clock_t cpu0 = std::clock();
    for (long it = 0; it < total; ++it) {
        // a. observed records' classes, one multinomial per observed cell
        std::fill(obs_k.begin(), obs_k.end(), 0);
        std::fill(on.begin(), on.end(), 0);
        for (int m = 0; m < M; ++m) {
            for (int k = 0; k < K; ++k) {
                double p = nu[k];
                for (int j = 0; j < J; ++j) p *= x[m][j] ? lambda[j * K + k] : 1.0 - lambda[j * K + k];
                w[k] = p;
            }
            std::fill(cell_k.begin(), cell_k.end(), 0);
            multinomial_add(rng, freq[m], w.data(), K, cell_k.data());
            for (int k = 0; k < K; ++k) {
                obs_k[k] += cell_k[k];
                for (int j = 0; j < J; ++j)
                    if (x[m][j]) on[j * K + k] += cell_k[k];
            }
        }
        // b. lambda | classes (the missing are off every list)
        for (int j = 0; j < J; ++j)
            for (int k = 0; k < K; ++k) {
                long size = obs_k[k] + miss_k[k];
                lambda[j * K + k] = beta_draw(rng, 1.0 + on[j * K + k], 1.0 + (size - on[j * K + k]));
            }
        // c. stick-breaking weights on the log scale
        long tail = n + n0;
        double log_rest = 0.0;  // log prod_{l<k} (1 - V_l)
        for (int k = 0; k < K - 1; ++k) {
            long nk = obs_k[k] + miss_k[k];
            tail -= nk;
            double g1 = log_gamma_draw(rng, 1.0 + nk), g2 = log_gamma_draw(rng, alpha + tail);
            double gs = log_sum_exp(g1, g2);
            log_nu[k] = g1 - gs + log_rest;
            log_rest += g2 - gs;
            nu[k] = std::exp(log_nu[k]);
        }
        log_nu[K - 1] = log_rest;
        nu[K - 1] = std::exp(log_rest);
        // d. n0 | theta ~ NegBin(n, 1 - p0)
        double p0 = 0.0;
        for (int k = 0; k < K; ++k) {
            double p = nu[k];
            for (int j = 0; j < J; ++j) p *= 1.0 - lambda[j * K + k];
            w[k] = p;
            p0 += p;
        }
        if (p0 > 1.0 - 1e-12) p0 = 1.0 - 1e-12;
        n0 = p0 > 0.0 ? negative_binomial_draw(rng, n, 1.0 - p0) : 0;
        // e. the missing individuals' classes
        std::fill(miss_k.begin(), miss_k.end(), 0);
        if (n0 > 0) multinomial_add(rng, n0, w.data(), K, miss_k.data());
        // f. alpha | V (log_rest = sum_{k<K} log(1 - V_k))
        alpha = gamma_draw(rng, a.a_alpha + K - 1) / (a.b_alpha - log_rest);
        if (it >= a.burn && (it - a.burn) % a.thin == a.thin - 1) kept.push_back(n + n0);
    }
    double cpu = double(std::clock() - cpu0) / CLOCKS_PER_SEC;
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    std::string out;
    out.reserve(kept.size() * 8);
    for (long v : kept) out += std::to_string(v) + '\n';
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fprintf(stderr, "iterations %ld seconds %.9g cpu_seconds %.9g\n", total, wall, cpu);
    return 0;
}
