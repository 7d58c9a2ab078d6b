# The spdep half of tools/bench/stats/run: the same values and neighbours, timed.
#   Rscript bench_spdep.R DIR PERMUTATIONS CORES
# Environment: ANALYTICAL_REPEATS (10): localG is timed as the best of that many calls (wall and
# CPU), as the C++ side is; SKIP_R_PERM=1 skips localG_perm (prints NA) when iterating.
suppressPackageStartupMessages(library(spdep))
args <- commandArgs(TRUE)
d <- args[1]; nsim <- as.integer(args[2]); cores <- as.integer(args[3])
reps <- max(1L, as.integer(Sys.getenv("ANALYTICAL_REPEATS", "10")))
skip_perm <- Sys.getenv("SKIP_R_PERM", "0") == "1"
if (cores > 1) { set.mcOption(TRUE); set.coresOption(cores) }
for (name in c("lsoa", "schools")) {
  x <- scan(file.path(d, paste0(name, "_x.txt")), quiet = TRUE)
  n <- length(x)
  e <- read.table(file.path(d, paste0(name, "_edges.txt")))
  nb <- split(e$V2, factor(e$V1, levels = 1:n))
  nb <- lapply(nb, function(v) if (length(v) == 0) 0L else sort(as.integer(v)))
  names(nb) <- NULL
  attr(nb, "region.id") <- as.character(1:n)
  class(nb) <- "nb"
  lw <- nb2listw(include.self(nb), style = "B", zero.policy = TRUE)
  g <- localG(x, lw, zero.policy = TRUE) # warm-up
  t_an <- Inf; c_an <- Inf
  for (r in seq_len(reps)) {
    st <- system.time(g <- localG(x, lw, zero.policy = TRUE))
    t_an <- min(t_an, st[["elapsed"]]); c_an <- min(c_an, st[["user.self"]] + st[["sys.self"]])
  }
  t_perm <- NA
  if (!skip_perm)
    t_perm <- system.time(gp <- localG_perm(x, lw, nsim = nsim, zero.policy = TRUE, iseed = 1))[["elapsed"]]
  z_cpp <- suppressWarnings(as.numeric(readLines(file.path(d, paste0(name, "_z.txt")))))
  ok <- card(nb) > 0 & is.finite(z_cpp)
  cat(sprintf("r %s n=%d localG_s=%.4f localG_cpu_s=%.4f localG_perm_s=%.3f max_abs_z_diff=%.2e cores=%d repeats=%d\n",
              name, n, t_an, c_an, t_perm, max(abs(as.numeric(g)[ok] - z_cpp[ok])), cores, reps))
}
