# PostgreSQL 15 under Patroni, from Debian's packages (the same ones ops/ha/up.sh installs).
FROM postgres:15-bookworm
RUN apt-get update \
  && apt-get install -y --no-install-recommends patroni python3-etcd curl \
  && rm -rf /var/lib/apt/lists/* \
  && mkdir -p /var/lib/patroni && chown postgres:postgres /var/lib/patroni
COPY docker/ha/patroni.yml /etc/patroni.yml
USER postgres
ENTRYPOINT ["patroni", "/etc/patroni.yml"]
