import { Route, Routes } from 'react-router-dom';
import { RunbooksPage } from './RunbooksPage/RunbooksPage';
import { RunPage } from './RunPage/RunPage';

/** Routes under `/runbooks`: the Runbooks page and `/runs/:id`. */
export function Router() {
  return (
    <Routes>
      <Route path="/" element={<RunbooksPage />} />
      <Route path="/runs/:id" element={<RunPage />} />
    </Routes>
  );
}
