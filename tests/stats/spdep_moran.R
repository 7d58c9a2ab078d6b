# Second implementation for tests/stats/test_spdep_moran.cpp: spdep's localmoran_perm, p.adjust,
# p.adjustSP and its Moran quadrants on the inputs and p-values the C++ test wrote.
#   Rscript spdep_moran.R DIR K NSIM
# Writes DIR/r_moran.txt, one row per feature:
#   Ii, Pr(folded) Sim, Z.Ii (sim), quadrant (pysal: 1 HH 2 LL 3 HL 4 LH),
#   p.adjust(ours, "BH"), p.adjustSP(ours, nb, "BH"), label from our p (0 none, else quadrant),
#   label from R's own p (same coding), bin from R's own p and sign of Z.Ii
suppressPackageStartupMessages({ library(spdep) })
args <- commandArgs(TRUE)
d <- args[1]; k <- as.integer(args[2]); nsim <- as.integer(args[3])
x <- scan(file.path(d, "x.txt"), quiet = TRUE)
coords <- as.matrix(read.table(file.path(d, "coords.txt")))
ours <- scan(file.path(d, "p_sim.txt"), quiet = TRUE)
alpha <- 0.05

nb <- knn2nb(knearneigh(coords, k))
lw <- nb2listw(nb, style = "B")
lm <- localmoran_perm(x, lw, nsim = nsim, iseed = 20240601)
q <- attr(lm, "quadr")$pysal
code <- c("High-High" = 1, "Low-Low" = 2, "High-Low" = 3, "Low-High" = 4)[as.character(q)]
p_r <- lm[, "Pr(folded) Sim"]
label <- function(p) ifelse(p < alpha, code, 0)
bh_ours <- p.adjust(ours, "BH")
bin <- function(z, p) sign(z) * ifelse(p < 0.01, 3, ifelse(p < 0.05, 2, ifelse(p < 0.10, 1, 0)))
out <- cbind(lm[, "Ii"], p_r, lm[, "Z.Ii"], code, bh_ours, p.adjustSP(ours, nb, "BH"),
             label(bh_ours), label(p.adjust(p_r, "BH")), bin(lm[, "Z.Ii"], p_r))
write.table(formatC(out, digits = 17, format = "g"), file.path(d, "r_moran.txt"),
            quote = FALSE, row.names = FALSE, col.names = FALSE)
