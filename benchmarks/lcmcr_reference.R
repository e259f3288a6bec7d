# Run the reference implementation, the R package LCMCR (Manrique-Vallier 2016), on a
# capture-pattern table and write its posterior draws of N with the run's timing.
#
# This script only calls the package (it contains none of LCMCR's code). LCMCR is not
# installed with this project: install it into a library of your own and point R_LIBS (or
# LCMCR_LIB, read below) at it. benchmarks/lcmcr_reference.py runs this script per chain.
#
# Usage:
#   Rscript benchmarks/lcmcr_reference.R --input=data/kosovo_lists.csv --output=draws.csv \
#       --K=10 --a_alpha=0.25 --b_alpha=0.25 --burnin=10000 --samples=1000 --thinning=100 --seed=1
#
# Input: one 0/1 column per list plus a `count` column (data/kosovo_lists.csv's shape).
# It is expanded to one row per victim with two-level factor columns ("0", "1"), the form
# lcmCR(tabular = FALSE) documents.
#
# Output CSV, one row per saved draw: N, then the run's constants repeated on every row:
# seed, elapsed_seconds, user_seconds, system_seconds (system.time of lcmCR() plus
# lcmCR_PostSampl(): initialisation, burn-in and sampling), iterations (Gibbs sweeps in
# that time: LCMCR's fixed 500 warm-up sweeps in lcmCR()'s initialisation, then burnin,
# then samples * thinning; one draw is kept every `thinning` sweeps), lcmcr_version,
# r_version.

args <- commandArgs(trailingOnly = TRUE)
opt <- list(K = "10", a_alpha = "0.25", b_alpha = "0.25", burnin = "10000", samples = "1000",
            thinning = "100", seed = NA, input = NA, output = NA)
for (a in args) {
  kv <- regmatches(a, regexec("^--([A-Za-z_]+)=(.*)$", a))[[1]]
  if (length(kv) != 3 || !(kv[2] %in% names(opt))) stop("unknown argument: ", a)
  opt[[kv[2]]] <- kv[3]
}
for (k in c("input", "output", "seed")) if (is.na(opt[[k]])) stop("--", k, "= is required")

lib <- Sys.getenv("LCMCR_LIB")
if (nzchar(lib)) .libPaths(c(lib, .libPaths()))
if (!requireNamespace("LCMCR", quietly = TRUE)) {
  stop("the R package LCMCR is not installed (set R_LIBS or LCMCR_LIB to its library)")
}

table <- read.csv(opt$input, check.names = FALSE)
if (!("count" %in% names(table))) stop("input has no `count` column")
lists <- setdiff(names(table), "count")
rows <- rep(seq_len(nrow(table)), table$count)
victims <- as.data.frame(lapply(table[rows, lists, drop = FALSE],
                                function(x) factor(as.character(x), levels = c("0", "1"))))
names(victims) <- lists

K <- as.integer(opt$K); burnin <- as.integer(opt$burnin); samples <- as.integer(opt$samples)
thinning <- as.integer(opt$thinning); seed <- as.integer(opt$seed)
timing <- system.time({
  sampler <- LCMCR::lcmCR(captures = victims, tabular = FALSE, in_list_label = "1",
                          not_in_list_label = "0", K = K, a_alpha = as.numeric(opt$a_alpha),
                          b_alpha = as.numeric(opt$b_alpha), buffer_size = samples,
                          thinning = thinning, seed = seed, verbose = FALSE)
  N <- LCMCR::lcmCR_PostSampl(sampler, burnin = burnin, samples = samples, thinning = thinning,
                              output = FALSE)
})
if (length(N) != samples) stop("LCMCR returned ", length(N), " draws, expected ", samples)

out <- data.frame(N = N, seed = seed, elapsed_seconds = timing[["elapsed"]],
                  user_seconds = timing[["user.self"]], system_seconds = timing[["sys.self"]],
                  iterations = 500 + burnin + samples * thinning,
                  lcmcr_version = as.character(utils::packageVersion("LCMCR")),
                  r_version = paste(R.version$major, R.version$minor, sep = "."))
write.csv(out, opt$output, row.names = FALSE)
