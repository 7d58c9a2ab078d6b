# Second implementation for tests/stats/test_spdep_agreement.cpp: R's spdep computes neighbours and
# local statistics from the files the C++ test wrote.
#   Rscript spdep_agreement.R DIR BAND K POLYGON_FILE
suppressPackageStartupMessages({ library(spdep); library(sf) })
sf_use_s2(FALSE)
args <- commandArgs(TRUE)
d <- args[1]; band <- as.numeric(args[2]); k <- as.integer(args[3]); polygon_file <- args[4]
x <- scan(file.path(d, "x.txt"), quiet = TRUE)
n <- length(x)
coords <- as.matrix(read.table(file.path(d, "coords.txt")))

read_nb <- function(f) {
  e <- read.table(f)
  nb <- split(e$V2, factor(e$V1, levels = 1:n))
  nb <- lapply(nb, function(v) if (length(v) == 0) 0L else sort(as.integer(v)))
  names(nb) <- NULL
  attr(nb, "region.id") <- as.character(1:n)
  class(nb) <- "nb"
  nb
}
write_nb <- function(nb, f) {
  i <- rep(seq_along(nb), card(nb))
  j <- unlist(lapply(nb, function(v) v[v > 0]))
  write.table(cbind(i, j), f, row.names = FALSE, col.names = FALSE)
}

write_nb(dnearneigh(coords, 0, band), file.path(d, "r_band.txt"))
write_nb(knn2nb(knearneigh(coords, k)), file.path(d, "r_knn.txt"))
polys <- st_read(polygon_file, quiet = TRUE)
write_nb(poly2nb(polys, queen = TRUE), file.path(d, "r_queen.txt"))

for (w in c("band", "queen")) {
  nb <- read_nb(file.path(d, paste0("edges_", w, ".txt")))
  for (style in c("B", "W")) {
    lws <- nb2listw(include.self(nb), style = style, zero.policy = TRUE)
    lw <- nb2listw(nb, style = style, zero.policy = TRUE)
    gs <- localG(x, lws, zero.policy = TRUE, return_internals = TRUE)
    g <- localG(x, lw, zero.policy = TRUE, return_internals = TRUE)
    lm <- localmoran(x, lw, zero.policy = TRUE, conditional = TRUE, mlvar = TRUE)
    p_star <- attr(gs, "internals")[, 5]
    p_star[card(nb) == 0] <- NA # islands: no test, as in the C++ code
    out <- cbind(as.numeric(gs), attr(gs, "internals")[, 1], as.numeric(g), attr(g, "internals")[, 1],
                 lm[, 1], lm[, 2], lm[, 3], lm[, 4], p.adjust(p_star, "BH"))
    write.table(formatC(out, digits = 17, format = "g"), file.path(d, paste0("r_", w, "_", style, ".txt")),
                quote = FALSE, row.names = FALSE, col.names = FALSE)
  }
}
