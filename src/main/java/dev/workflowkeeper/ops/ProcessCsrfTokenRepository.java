package dev.workflowkeeper.ops;

import java.security.SecureRandom;
import java.util.Base64;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.CsrfTokenRepository;
import org.springframework.security.web.csrf.DefaultCsrfToken;

/**
 * The CSRF token of the dashboard's state-changing routes, without a session or a cookie
 * (every request carries its own credentials): one random token a worker process draws at
 * start and renders into its page (masked afresh on each render). A page of another site
 * cannot read it, so it cannot send it. A worker behind a load balancer with several
 * replicas should pin the dashboard to one of them, or launch through the actuator, which
 * takes no token.
 */
class ProcessCsrfTokenRepository implements CsrfTokenRepository {

	static final String HEADER = "X-CSRF-TOKEN";

	static final String PARAMETER = "_csrf";

	private final CsrfToken token;

	ProcessCsrfTokenRepository() {
		byte[] random = new byte[32];
		new SecureRandom().nextBytes(random);
		this.token = new DefaultCsrfToken(HEADER, PARAMETER,
				Base64.getUrlEncoder().withoutPadding().encodeToString(random));
	}

	@Override
	public CsrfToken generateToken(HttpServletRequest request) {
		return this.token;
	}

	@Override
	public void saveToken(CsrfToken token, HttpServletRequest request, HttpServletResponse response) {
		// Nothing to keep: the token is the process's own.
	}

	@Override
	public CsrfToken loadToken(HttpServletRequest request) {
		return this.token;
	}

}
