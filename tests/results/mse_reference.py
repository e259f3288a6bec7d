"""Published outputs of the reference implementations of multiple systems estimation.

Each block gives the data, the call that produced the output and where it was published.
"""

# -- Rcapture (Baillargeon & Rivest 2007) ----------------------------------------------------
# Seber (1982, p. 107) two-occasion example, as run in Rcapture's own example file
# (tests/Examples/Rcapture-Ex.Rout.save in the CRAN package Rcapture 1.3,
# https://github.com/cran/Rcapture, example of ?closedp):
#   X <- matrix(c(1,1,167, 1,0,781, 0,1,254), byrow=TRUE, ncol=3); closedp.t(X, dfreq=TRUE)
#   Mt  abundance 2389.9  stderr 130.4  deviance 0.000  df 0  AIC 28.831
SEBER_1982 = {"11": 167, "10": 781, "01": 254}
SEBER_1982_MT = {"abundance": 2389.9, "stderr": 130.4, "deviance": 0.0, "df": 0, "aic": 28.831}
# Rounding of the published figures: abundance and stderr to 0.1, AIC to 0.001.
SEBER_1982_MT_TOL = {"abundance": 0.05, "stderr": 0.05, "aic": 0.0005}

# -- dga (Johndrow, Lum & Ball; Madigan & York 1997) -----------------------------------------
# Five-list example of Madigan & York (1997) as in dga's documentation (?bma.cr,
# ?plotPosteriorN) and the dgaFast README (https://github.com/OlivierBinette/dga, a
# re-implementation checked against dga 1.2 in its tests/testthat/test-BMAfunctions.R):
#   delta <- .5; Y <- array(c(0,27,37,19,4,4,1,1,97,22,37,25,2,1,3,5,83,36,34,18,3,5,0,2,
#                             30,5,23,8,0,3,0,2), dim=c(2,2,2,2,2))
#   Nmissing <- 1:300; weights <- bma.cr(Y, Nmissing, delta, graphs5)
# R arrays are column-major: list k is bit k-1 of the cell index, our convention.
MY_5_LISTS = [0, 27, 37, 19, 4, 4, 1, 1, 97, 22, 37, 25, 2, 1, 3, 5,
              83, 36, 34, 18, 3, 5, 0, 2, 30, 5, 23, 8, 0, 3, 0, 2]
MY_5_DELTA = 0.5
MY_5_MISSING = (1, 300)  # Nmissing <- 1:300, prior 1/N (bma.cr's default log prior)
# Posterior probabilities of the five most probable graphs (README table, 8 decimals).
MY_5_TOP_GRAPH_PROBABILITIES = [0.21707345, 0.16029369, 0.08226562, 0.06535887, 0.05193514]
# The same table's mode and 2.5%/97.5% quantiles of N per graph. The README computed them
# on a vector N that is not shown; they equal ours (N = sum(Y) + Nmissing, sum(Y) = 537)
# shifted by exactly +89 for all 15 numbers, so we compare the shifted values: the
# shapes of the five posteriors are reproduced; the offset is the README's N vector.
MY_5_TOP_GRAPH_MODE_Q025_Q975 = [(713, 687, 752), (703, 680, 734), (699, 675, 737),
                                 (697, 674, 729), (703, 680, 736)]
MY_5_README_N_OFFSET = 89

# Three-list example of Madigan & York (1997) from the same documentation, used for the
# hand-checked log-linear closed form below (counts in our cell order 001..111).
MY_3_LISTS = [0, 60, 49, 4, 247, 112, 142, 12]

# -- Rcapture's own reproductions of published analyses --------------------------------------
# All from inst/tests/testPapersResults.R of the CRAN package Rcapture
# (https://github.com/cran/Rcapture, commit 09223d1f69e3e701cb0ebb81e947235c4cf75385), where
# Rcapture's closedpCI.t output is checked against the papers at the rounding given there
# (round(x) for abundance, stderr and interval ends unless stated; deviance to 0.1 or 0.01).
# Counts are in Rcapture's histpos.t(J) order: 11..1, 11..10, ..., 00..01 (list 1 is the
# most significant bit), as in the file. Interactions are given as 0-based list indices.
def histpos_t(J):
    """Rcapture's histpos.t(J) patterns, as tuples of 0/1 (list 1 first)."""
    return [tuple((i >> (J - 1 - j)) & 1 for j in range(J)) for i in range(2**J - 1, 0, -1)]


# Darroch et al. (1993) R3 data, as analysed in Rivest (2011).
DARROCH_R3 = [72, 155, 7, 71, 13, 53, 43]
DARROCH_R3_FITS = {
    # closedpCI.t(X=DarR3, dfreq=TRUE, mX=~(c1+c2+c3)^2)
    "saturated": {"interactions": [(0, 1), (0, 2), (1, 2)], "abundance": 1240, "stderr": 451},
    # mX=~.+c1:c2+c2:c3
    "inter2": {"interactions": [(0, 1), (1, 2)], "abundance": 850, "stderr": 186,
               "deviance": 3.8, "df": 1},
    # mX=~.+c1:c2, h="LB"
    "LB": {"interactions": [(0, 1)], "h": "chao", "abundance": 681, "stderr": 78,
           "deviance": 3.45, "df": 1},
    # mX=~.+c1:c2, h="Darroch" (to 0.1)
    "Darroch": {"interactions": [(0, 1)], "h": "darroch", "abundance": 1181.8, "stderr": 404.2},
}

# Diabetes data of Bruno et al. (1994), four lists, n = 2,069, as analysed in Rivest (2011).
DIABETES = [58, 157, 18, 104, 46, 650, 12, 709, 14, 20, 7, 74, 8, 182, 10]
_I = [(0, 2), (1, 3), (2, 3)]  # "chosen interaction set I": mX=~.+c1:c3+c2:c4+c3:c4
DIABETES_FITS = {
    # mX=~(c1+c2+c3+c4)^2-c1:c4
    "Bruno": {"interactions": [(0, 1), (0, 2), (1, 2), (1, 3), (2, 3)], "abundance": 2771,
              "stderr": 145, "deviance": 7.62, "df": 5},
    "nohetero": {"interactions": _I, "abundance": 2472, "stderr": 53, "deviance": 21.97, "df": 7},
    "LB": {"interactions": _I, "h": "chao", "abundance": 2588, "stderr": 75, "deviance": 3.13, "df": 6},
    "Poisson2": {"interactions": _I, "h": "poisson", "abundance": 2573, "stderr": 76,
                 "deviance": 12.88, "df": 6},
    "Darroch": {"interactions": _I, "h": "darroch", "abundance": 2752, "stderr": 133,
                "deviance": 8.32, "df": 6},
}

# Cormack, Chang & Smith (2000), Tables 3a (four lists) and 3b (three lists).
CORMACK_2000_4 = [72, 5, 29, 53, 24, 3, 12, 14, 0, 0, 0, 1, 0, 0, 2]
CORMACK_2000_4_FITS = {
    "a1": {"interactions": [], "abundance": 215, "deviance": 87.1, "df": 10},  # m="Mt"
    "a3": {"interactions": [(2, 3)], "abundance": 215, "df": 9},
    "a4": {"interactions": [(0, 2), (2, 3)], "deviance": 7.7, "df": 8},
    "a5": {"interactions": [(0, 1), (0, 2), (2, 3)], "abundance": 218, "deviance": 2.6, "df": 7},
}
CORMACK_2000_3 = [72, 5, 29, 54, 24, 3, 14]
CORMACK_2000_3_FITS = {
    # m="Mt"; 95% profile-likelihood interval (closedpCI.t's CI columns InfCL, SupCL)
    "b1": {"interactions": [], "abundance": 209, "deviance": 75.1, "df": 3, "lower": 203, "upper": 217},
    "b2": {"interactions": [(1, 2)], "deviance": 1.2, "df": 2, "lower": 210},
    "b3": {"interactions": [(0, 1), (1, 2)], "deviance": 0.6, "df": 1},
    "b4": {"interactions": [(0, 2), (1, 2)], "abundance": 233, "df": 1, "lower": 204},
    "b5": {"interactions": [(0, 1), (0, 2), (1, 2)], "deviance": 0.0, "df": 0},
}
# Rounding: the file compares round(x, digits); the published value is within half a unit.
RCAPTURE_DIGITS = {"abundance": 0, "stderr": 0, "lower": 0, "upper": 0, "df": 0}
# (deviance: 1 decimal where the figure has one, 2 where it has two; the Darroch R3 row to 0.1.)

# -- SparseMSE / MultipleSystemsEstimation (Chan, Silverman & Vincent) ----------------------
# Kosovo, four lists (Ball et al. 2002), n = 4,400; LCMCR's kosovo_aggregate tabulated.
# Printed as $input$data by estimate_population_stepwise(Kosovo, maxorder = Inf) in the
# pkgdown page docs/reference/estimate_population_stepwise.md of
# https://github.com/bernardsilverman/MultipleSystemsEstimation (a version later than commit
# 4f09409d684dab635f1f9b21c9aede8e19e07eab, which lacks the Kosovo example; the index
# did not give that version's commit). Also in data/kosovo_lists.csv. Pattern order EXH, ABA,
# OSCE, HRW.
KOSOVO = {"1000": 1131, "0100": 845, "0010": 936, "0001": 306, "1100": 177, "1010": 228,
          "1001": 106, "0110": 217, "0101": 31, "0011": 123, "1110": 181, "1101": 18,
          "1011": 42, "0111": 32, "1111": 27}
# The same page (an earlier rendering of the same example) prints the fitted stepwise model
# [134,12,23] (EXH:OSCE:HRW with its pairs, plus EXH:ABA and ABA:OSCE) as a Poisson glm:
# $popest 18393.31; deviance 10.25032, df.residual 4, aic 133.6743, bic 203.9573.
KOSOVO_134_12_23 = {"interactions": [(0, 1), (0, 2), (0, 3), (1, 2), (2, 3), (0, 2, 3)],
                    "abundance": 18393.31, "deviance": 10.25032, "df": 4, "aic": 133.6743,
                    "bic": 203.9573}
# Silverman, Chan & Vincent (2024), reproduced in docs/articles/reproduce-2024.md (commit
# 4f09409d684dab635f1f9b21c9aede8e19e07eab): "Kosovo has only 113 admissible candidate
# models" (all hierarchical models up to three-way interactions).
KOSOVO_THREE_WAY_MODELS = 113

# Korea, three lists b, c, d, n = 123, with an empty cell (011). docs/articles/user-guide.md
# (commit 39364f35364daa97bc43072cbf0dcd189b901053): head(fit_bic$bic_results$res), the six
# admissible models (reproduce-2024.md: "only six admissible models after the existence
# check"; the other two, [12,13] and [12,13,23], have no finite MLE), with abundance and BIC
# (-2 log L + p log n, n observed), as estimate_population(Korea, method = "bic") prints them.
KOREA = {"001": 41, "010": 5, "100": 5, "110": 54, "101": 6, "011": 0, "111": 12}  # order b, c, d
KOREA_BIC = [  # (interactions, abundance, BIC)
    ([(0, 1), (1, 2)], 157.1667, 57.14081),
    ([(0, 1)], 268.7778, 58.96860),
    ([(0, 2), (1, 2)], 123.4630, 91.89711),
    ([(1, 2)], 126.1944, 138.06368),
    ([(0, 2)], 126.9394, 155.16018),
    ([], 141.9926, 184.14431),
]
# docs/reference/estimate_population_fixed.md (commit 628201f7726429ab132ae6211bc71b3f8b3dcf37):
# the glm of the main-effects model: deviance 138.5548 on 3 df, aic 172.8956, bic 184.1443;
# model [23,1]: deviance 87.66203 on 2 df, aic 124.0028, bic 138.0637.
KOREA_FIXED = [([], 138.5548, 3, 172.8956), ([(1, 2)], 87.66203, 2, 124.0028)]

# -- LCMCR (Manrique-Vallier 2016) ------------------------------------------------------------
# No published posterior quantiles of N for the package's Kosovo example were found (the
# example in ?lcmCR prints quantile(N, c(0.025, 0.5, 0.975)) but its output is not in
# the package sources; HRDAG's "Implementing LCMCR in Stan" tech note tabulates R LCMCR's
# Kosovo quantiles, but only as a knitted table that could not be read, and the source
# repository HRDAG/StanLCMCR does not store the summaries.csv it reads). The Kosovo
# counts themselves are above (KOSOVO). latent_class is therefore checked against LCMCR run in
# this session (LCMCR_KOSOVO_N below) and against an independent exact computation:
# with K = 1 the model is M_t with Beta(1, 1) capture probabilities and p(N) ~ 1/N, whose
# posterior is p(N | x) ~ (1/N) N!/(N-n)! prod_j B(n_j + 1, N - n_j + 1) (tests).

# LCMCR's posterior of N on the Kosovo lists (KOSOVO above), run in this project's
# session (not published: the figures are ours, from the reference implementation).
#   Package: LCMCR 0.4.13 (2023-05-23), source reconstructed from https://github.com/cran/LCMCR
#   at commit 4f4f4de79d463410da15b603417336b6f842a230; every R/ and src/ file and
#   DESCRIPTION checked against that commit's MD5 file (NAMESPACE, not stored at that
#   commit, from 075989ff65737299eee135b55a01bbbc6e46188f); src/Makevars from Makevars.in
#   with GSL 2.7.1's gsl-config flags and -DHAVE_INLINE (what its configure would write);
#   compiled by R CMD INSTALL with g++ 12.2.0 -O2. R 4.2.2 (Debian r-base-core
#   4.2.2.20221110-2, bookworm). Run on 2026-11-21.
#   Settings: K = 10, a_alpha = b_alpha = 0.25, burn-in 10,000, thinning 100, 5,000 samples
#   per run, 8 independent runs with LCMCR seeds 1..8 (lcmCR(seed = s)), i.e.
#     lcmCR(kosovo, tabular = FALSE, K = 10, a_alpha = 0.25, b_alpha = 0.25, seed = s)
#     lcmCR_PostSampl(sampler, burnin = 10000, samples = 5000, thinning = 100)
#   Command: LCMCR_LIB=<lib> python -c "run_lcmcr(kosovo counts, K=10, burn=10000, thin=100,
#     draws=5000, chains=8, random_seed=1)" (benchmarks/lcmcr_reference.py, which calls
#     benchmarks/lcmcr_reference.R once per seed).
# Quantiles of the 40,000 pooled draws (numpy's default linear interpolation). Monte Carlo
# standard error of each quantile: the larger of ArviZ's (az.mcse(method="quantile"), from
# the ESS of the indicator below the quantile: 40.0, 11.0, 84.5) and the batch-means one,
# the sd of the 8 runs' own quantiles / sqrt(8) (44.7, 13.2, 84.5), because rare excursions
# of N (to ~8,300 and below) make ESS-based errors optimistic on these data (next block).
# R-hat and bulk/tail ESS from estimators.posterior.convergence on the (8, 5000) draws.
LCMCR_KOSOVO = {"K": 10, "a_alpha": 0.25, "b_alpha": 0.25, "burn": 10000, "thin": 100,
                "draws": 5000, "runs": 8, "seeds": list(range(1, 9))}
LCMCR_KOSOVO_N = {0.025: 9049.0, 0.5: 10432.0, 0.975: 13881.0}
LCMCR_KOSOVO_N_MCSE = {0.025: 44.7, 0.5: 13.2, 0.975: 84.5}
LCMCR_KOSOVO_DIAGNOSTICS = {"r_hat": 1.0032, "ess_bulk": 3600, "ess_tail": 2893}
# Short runs (4 chains x 1,000 draws, same K, priors, burn-in and thinning), 20 independent
# runs of each sampler, same session and date: the standard deviation between runs of each
# pooled quantile of N, and its mean. LCMCR 0.4.13 with seeds 1000 + 10 s + c (run s = 1..20,
# chain c = 0..3); ours (estimators.mse.latent_class.sample_latent_class, cores=1) with
# random_seed s = 1..20. Command: benchmarks/lcmcr_reference.py --only short-runs.
# The ESS-based MCSE of a single short run understates this spread (median over runs,
# LCMCR: 112, 35, 250; ours: 54, 34, 230): a run that happens to wander to low N moves the
# 2.5% quantile by several hundred.
LCMCR_KOSOVO_SHORT_RUN_SD = {"LCMCR": {0.025: 246.0, 0.5: 54.0, 0.975: 328.0},
                             "ours": {0.025: 289.0, 0.5: 59.0, 0.975: 282.0}}
LCMCR_KOSOVO_SHORT_RUN_MEAN = {"LCMCR": {0.025: 8932.0, 0.5: 10415.0, 0.975: 13982.0},
                               "ours": {0.025: 8993.0, 0.5: 10444.0, 0.975: 13893.0}}

# The 3-class synthetic tables of benchmarks/mse_scale.py (tail_tables: THREE_CLASSES,
# three_class_patterns(J=4, 3,000 observed, seed 31) and (J=5, 2,000, seed 32)), as the
# observed patterns (index sum_j x_j 2**j) with their counts, and the posterior quantiles of
# N under the LCMCR model (K = 10, a_alpha = b_alpha = 0.25, Beta(1, 1) capture
# probabilities, p(N) ~ 1/N). Source of the quantiles: the C++ port of LCMCR's sampler
# (benchmarks/lcmcr_baseline.cpp, <random> variates, -O2), not our sampler; run 2026-12-07 in
# this project's session: 8 independent runs (random_seed 5000..5007) of
# run_baseline(cells, K=10, burn=10_000, draws=2000, thin=100, chains=8). Each value is the
# mean over the 8 runs of the run's quantile of its 16,000 pooled draws (numpy's linear
# interpolation); the MCSE is the batch-means one, the sd of the 8 runs' quantiles / sqrt(8).
# (The longer tables in benchmarks/mse_scale.md, 8 runs x 8 chains x 5,000 draws, give
# 4,322 / 4,477 / 4,669 and 2,612 / 2,697 / 2,805 for the C++ port and within 1-8 of those
# for latent_class.)
THREE_CLASS_TABLES = {
    "4 lists": {"J": 4, "true_N": 5949, "patterns": {
        1: 507, 2: 419, 3: 128, 4: 633, 5: 196, 6: 160, 7: 68, 8: 358, 9: 120, 10: 90, 11: 28, 12: 128,
        13: 51, 14: 46, 15: 15}},
    "5 lists": {"J": 5, "true_N": 3561, "patterns": {
        1: 255, 2: 189, 3: 70, 4: 296, 5: 113, 6: 69, 7: 25, 8: 173, 9: 44, 10: 32, 11: 22, 12: 58, 13: 23,
        14: 12, 15: 10, 16: 200, 17: 57, 18: 60, 19: 24, 20: 95, 21: 41, 22: 31, 23: 7, 24: 37, 25: 21,
        26: 12, 27: 6, 28: 23, 29: 8, 30: 6, 31: 4}},
}
THREE_CLASS_N = {"4 lists": {0.025: 4321.6, 0.5: 4477.1, 0.975: 4672.4},
                 "5 lists": {0.025: 2612.0, 0.5: 2697.9, 0.975: 2812.5}}
THREE_CLASS_N_MCSE = {"4 lists": {0.025: 0.32, 0.5: 0.74, 0.975: 5.2},
                      "5 lists": {0.025: 0.27, 0.5: 0.44, 0.975: 5.3}}
