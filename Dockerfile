# workflow-keeper: build with the Maven wrapper, run on a JRE as a non-root user.
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN ./mvnw -B -q -ntp dependency:go-offline
COPY src src
RUN ./mvnw -B -q -ntp -DskipTests package
# The jar extracted as Spring Boot lays it out for class data sharing, one folder per layer: the
# dependencies change less often than the application, so their image layer is reused.
RUN java -Djarmode=tools -jar target/workflow-keeper.jar extract --layers --destination target/extracted

FROM eclipse-temurin:17-jre
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
# a fixed id, so that an orchestrator can check it runs as non-root (runAsUser in deploy/kubernetes)
RUN groupadd --system --gid 10001 keeper && useradd --system --uid 10001 --gid keeper --home-dir /app keeper
WORKDIR /app
COPY --from=build /src/target/extracted/dependencies/ /app/
COPY --from=build /src/target/extracted/spring-boot-loader/ /app/
COPY --from=build /src/target/extracted/snapshot-dependencies/ /app/
COPY --from=build /src/target/extracted/application/ /app/
# Defaults an operator may override by mounting over /app/config and /app/jobs.
COPY config /app/config
COPY jobs /app/jobs
RUN mkdir -p /app/data && chown -R keeper:keeper /app
# A training run for class data sharing (Spring Boot's CDS recipe): the worker's context starts and
# the JVM exits, writing the classes it loaded to an archive that every later start maps instead of
# loading them again; on the memory store and a throw-away data folder, so it needs no Redis. The
# archive fits this JVM and these jars only, hence here, in the image that runs them. It extends the
# JVM's own archive, which not every JRE build ships: made first when missing. The build fails
# rather than ship an image whose archive is missing.
RUN { [ -f "$JAVA_HOME/lib/server/classes.jsa" ] || java -Xshare:dump >/dev/null; } \
  && KEEPER_DATA_DIR=/tmp/training java -XX:ArchiveClassesAtExit=/app/workflow-keeper.jsa \
      -Dspring.context.exit=onRefresh -jar /app/workflow-keeper.jar serve \
  && rm -rf /tmp/training && test -s /app/workflow-keeper.jsa
USER keeper
# Job history (H2), rejects, archives and the embedded memory store.
VOLUME ["/app/data"]
ENV KEEPER_DATA_DIR=/app/data \
    USE_REDIS=true \
    REDIS_URL=redis://redis:6379/0 \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75"
EXPOSE 8080
# The liveness probe, on the actuator's port: MANAGEMENT_SERVER_PORT when set, else KEEPER_PORT.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${MANAGEMENT_SERVER_PORT:-${KEEPER_PORT:-8080}}/actuator/health/liveness" || exit 1
# exec form: the JVM gets SIGTERM directly and shuts down gracefully.
ENTRYPOINT ["java", "-XX:SharedArchiveFile=/app/workflow-keeper.jsa", "-jar", "/app/workflow-keeper.jar"]
CMD ["serve"]
