# Second implementation for tests/coldspots/test_spdep_pipeline.cpp: the cold spots of a workspace
# worked out with R spdep from the documented rules (docs/methodology.md), not from Coldspot's code.
#   Rscript cold_spots_spdep.R WORKSPACE.gpkg OUT_DIR K BAND ALPHA NSIM HEX_SNAP
# Reads the index per school (coldspots_schools.coldspot_index, the input of the statistics) and the
# unit polygons (coldspots_areas, coldspots_hex) from the workspace; writes tab-separated results.
suppressPackageStartupMessages({ library(spdep); library(sf) })
sf_use_s2(FALSE)
args <- commandArgs(TRUE)
ws <- args[1]; out <- args[2]; k <- as.integer(args[3]); band <- as.numeric(args[4])
alpha <- as.numeric(args[5]); nsim <- as.integer(args[6]); hex_snap <- as.numeric(args[7])

# ---- the documented rules
# Gi_Bin (ArcGIS): +-3 below 0.01, +-2 below 0.05, +-1 below 0.10, signed by z; 0 otherwise or no test.
gi_bin <- function(z, p) {
  level <- ifelse(is.na(p), 0, ifelse(p < 0.01, 3, ifelse(p < 0.05, 2, ifelse(p < 0.10, 1, 0))))
  ifelse(is.na(z), 0, sign(z) * level)
}
# A cold spot: Gi* z > 0 (high index = poorly served) with p under alpha.
cold_spot <- function(z, p) as.integer(!is.na(z) & !is.na(p) & z > 0 & p < alpha)
# k nearest other points plus every point tied with the k-th, at exactly its distance.
knn_with_ties <- function(xy, k) {
  n <- nrow(xy)
  nb <- vector("list", n)
  for (i in seq_len(n)) {
    d2 <- (xy[, 1] - xy[i, 1])^2 + (xy[, 2] - xy[i, 2])^2
    d2[i] <- Inf
    dk <- sort(d2, partial = k)[k]
    nb[[i]] <- which(d2 <= dk)
  }
  attr(nb, "region.id") <- as.character(seq_len(n))
  class(nb) <- "nb"
  nb
}
# Gi* on neighbour list nb (self added), two-sided p, BH over units with a neighbour, bins, flag.
gi_star <- function(x, nb, style, fdr) {
  lw <- nb2listw(include.self(nb), style = style, zero.policy = TRUE)
  z <- as.numeric(localG(x, lw, zero.policy = TRUE))
  island <- card(nb) == 0
  z[island] <- NA
  p <- 2 * pnorm(-abs(z))
  q <- p.adjust(p, "BH")
  used <- if (fdr) q else p
  data.frame(z = z, p = p, p_fdr = q, bin = gi_bin(z, used), cold = cold_spot(z, used))
}
write_tsv <- function(d, name) {
  for (c in names(d)) if (is.numeric(d[[c]])) d[[c]] <- ifelse(is.na(d[[c]]), "NA", formatC(d[[c]], digits = 17, format = "g"))
  write.table(d, file.path(out, name), sep = "\t", quote = FALSE, row.names = FALSE)
}

# ---- schools
s <- st_read(ws, "coldspots_schools", quiet = TRUE)
s <- s[!is.na(s$coldspot_index), ]
xy <- st_coordinates(s)
x <- s$coldspot_index
nb_knn <- knn_with_ties(xy, k)
nb_band <- dnearneigh(xy, 0, band)
# Where no tie reaches the k-th place the rule is spdep's knearneigh; count those schools.
plain <- knn2nb(knearneigh(xy, k))
ties <- sum(card(nb_knn) > k)
same <- sum(mapply(function(a, b) length(a) == length(b) && all(sort(a) == sort(b)), nb_knn, plain)[card(nb_knn) == k])
writeLines(c(paste("schools", nrow(s)), paste("tied", ties), paste("untied_equal_to_knearneigh", same),
             paste("untied", sum(card(nb_knn) == k))), file.path(out, "r_knn_summary.txt"))
for (w in c("knn", "band")) {
  nb <- if (w == "knn") nb_knn else nb_band
  for (style in c("B", "W")) {
    for (fdr in c(TRUE, FALSE)) {
      r <- gi_star(x, nb, style, fdr)
      write_tsv(data.frame(urn = s$urn, r), sprintf("r_schools_%s_%s_%s.tsv", w, style, if (fdr) "fdr" else "raw"))
    }
  }
}
# The per-school flags of the default statistics (k nearest, binary, FDR), for the unit counts.
school_cold <- gi_star(x, nb_knn, "B", TRUE)$cold
# Permutation p (folded, as PySAL and Coldspot report it) for the default weights. Coldspot's test
# holds the school's own value in place and draws its neighbours' (docs/methodology.md §4), so its Gi*
# p_sim is the conditional test of the neighbours' sum: what localG_perm computes for Gi (no self).
# (spdep 1.2-7's localG_perm on Gi* weights draws the school's own slot as well: another null.)
lw <- nb2listw(nb_knn, style = "B")
perm <- localG_perm(x, lw, nsim = nsim, iseed = 20240601)
write_tsv(data.frame(urn = s$urn, p_folded = attr(perm, "internals")[, "Pr(folded) Sim"]), "r_perm.tsv")

# ---- areas (LSOA, district, hub footprint) and hexagons: the mean index of the schools in each
# unit, computed here from the school rows, then Gi* over queen contiguity of the unit polygons.
units <- function(layer, level, members, snap) {
  u <- st_read(ws, layer, quiet = TRUE)
  if (!is.null(level)) u <- u[u$level == level, ]
  key <- if (is.null(level)) rep("", nrow(u)) else u$code
  m <- members(u)
  n <- sapply(m, length)
  mean_index <- sapply(m, function(v) mean(x[v]))
  cold <- sapply(m, function(v) sum(school_cold[v]))
  nb <- queen(u, snap)
  r <- gi_star(mean_index, nb, "B", TRUE)
  data.frame(key = key, schools = n, mean_index = mean_index, cold_spot_schools = cold, r)
}
# Queen contiguity as documented (§1): polygons sharing a boundary point. poly2nb finds those sharing
# a vertex (within snap); st_intersects adds boundaries touching without a shared vertex.
queen <- function(u, snap) {
  a <- poly2nb(u, queen = TRUE, snap = snap)
  b <- st_intersects(st_geometry(u))
  nb <- lapply(seq_len(nrow(u)), function(i) {
    v <- sort(unique(c(a[[i]][a[[i]] > 0], setdiff(b[[i]], i))))
    if (length(v) == 0) 0L else as.integer(v)
  })
  attr(nb, "region.id") <- as.character(seq_len(nrow(u)))
  class(nb) <- "nb"
  nb
}
by_field <- function(field) function(u) lapply(u$code, function(c) which(s[[field]] == c))
by_hub <- function(u) lapply(u$code, function(c) which(sapply(strsplit(ifelse(is.na(s$hub_ids), "", s$hub_ids), ";"),
                                                             function(h) c %in% h)))
areas <- rbind(cbind(level = "lsoa", units("coldspots_areas", "lsoa", by_field("lsoa_code"), 0.01)),
               cbind(level = "la", units("coldspots_areas", "la", by_field("lad_code"), 0.01)),
               cbind(level = "hub", units("coldspots_areas", "hub", by_hub, 0.01)))
write_tsv(areas, "r_areas.tsv")
in_hex <- function(u) {
  hit <- st_intersects(u, s)
  lapply(seq_len(nrow(u)), function(i) hit[[i]])
}
h <- st_read(ws, "coldspots_hex", quiet = TRUE)
hex <- units("coldspots_hex", NULL, in_hex, hex_snap)
hex$key <- paste(h$q, h$r, sep = ":")
write_tsv(hex, "r_hex.tsv")
