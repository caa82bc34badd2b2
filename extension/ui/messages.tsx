interface Props {
  error: string | null;
  notice: string | null;
}

/** The outcome of the last action, in words: errors are announced to screen readers at once. */
export function Messages({ error, notice }: Props) {
  return (
    <>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
    </>
  );
}
