# Converts the movielens table of the R package dslabs to two CSV files (chapter 8).
#
# Run from the repository root:
#   Rscript datasets/movielens-small/convert.R
# It needs R and the dslabs package (Debian: apt-get install r-base-core r-cran-dslabs).
#
# dslabs holds one table of 100,004 rows: each rating joined with its movie's title, year and genres.
# We split it back into the two tables of MovieLens "latest-small":
#   ratings.csv  userId,movieId,rating,timestamp   (one line per rating, in the package's order)
#   movies.csv   movieId,title,year,genres         (one line per movie, sorted by movieId)
# Missing titles and years (NA, 5 movies) are written as empty fields. Text fields are quoted
# (titles contain commas); a double quote inside a title is doubled, as in RFC 4180.
library(dslabs)
data(movielens, package = "dslabs")
stopifnot(nrow(movielens) == 100004, ncol(movielens) == 7)
ratings <- movielens[, c("userId", "movieId", "rating", "timestamp")]
stopifnot(!anyNA(ratings), all(ratings$rating >= 0.5 & ratings$rating <= 5))
movies <- unique(movielens[, c("movieId", "title", "year", "genres")])
movies$genres <- as.character(movies$genres)
movies <- movies[order(movies$movieId), ]
stopifnot(!anyDuplicated(movies$movieId), nrow(movies) == 9066)
folder <- file.path("datasets", "movielens-small")
write.csv(ratings, file.path(folder, "ratings.csv"), row.names = FALSE, quote = FALSE, fileEncoding = "UTF-8")
write.csv(movies, file.path(folder, "movies.csv"), row.names = FALSE, na = "", quote = c(2, 4),
          fileEncoding = "UTF-8")
cat(sprintf("wrote %s: %d ratings by %d users of %d movies, and %d movies; dslabs %s\n",
            folder, nrow(ratings), length(unique(ratings$userId)), length(unique(ratings$movieId)),
            nrow(movies), as.character(packageVersion("dslabs"))))
