# Converts the lending_club table of the R package modeldata to CSV (chapter 10).
#
# Run from the repository root:
#   Rscript datasets/lending_club/convert.R
# It needs R and the modeldata package (Debian: apt-get install r-base-core r-cran-modeldata).
# The table has no missing values; factors are written as their level names.
library(modeldata)
data(lending_club, package = "modeldata")
stopifnot(nrow(lending_club) == 9857, ncol(lending_club) == 23, !anyNA(lending_club))
out <- file.path("datasets", "lending_club", "lending_club.csv")
write.csv(lending_club, out, row.names = FALSE, na = "", quote = FALSE, fileEncoding = "UTF-8")
cat(sprintf("wrote %s: %d rows x %d columns, %d bad, modeldata %s\n",
            out, nrow(lending_club), ncol(lending_club), sum(lending_club$Class == "bad"),
            as.character(packageVersion("modeldata"))))
