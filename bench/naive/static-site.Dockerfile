# Naive: a static site served by a general-purpose interpreter image.
FROM deploymind/python:3.11
WORKDIR /site
COPY . .
EXPOSE 8080
CMD ["python3", "-m", "http.server", "8080"]
